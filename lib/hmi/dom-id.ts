/**
 * The element id of a screen widget in the dashboard page. The server writes it into the widget's HTML and the
 * browser looks the element up by it, so both take it from here: a node id may hold any character, an HTML id
 * used in markup should not (spaces, quotes, `<`), hence the replacement.
 */

/** `id` with every character outside `[A-Za-z0-9_.-]` replaced by `_`. */
export function domId(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The id of the `<div>` a `ui_mara_screen` node with node id `nodeId` mounts in. */
export function screenElementId(nodeId: string): string {
  return 'mara-screen-' + domId(nodeId);
}
