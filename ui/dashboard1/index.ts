/**
 * Entry of dist/ui/mara-screen.js, the browser side of the ui_mara_screen Dashboard 1 widget (docs/screens.md §5,
 * docs/screens.md §6). esbuild bundles it (scripts/build.js) as an ES2017 IIFE that declares one `var
 * MaraScreenUI`; the node sends that text as the body of the dashboard's `initController` (so the `var` is local
 * to that function) followed by `MaraScreenUI.attach(scope, events, {id})`. The core (ui/core/) knows no
 * dashboard, so a Dashboard 2 widget can bundle it with its own glue. Tests load this file in a `vm` context
 * (test/helpers/fake-dom.ts) or a page.
 */
export { SAFE_ATTRIBUTE_NAMES, isSafeAttributeName } from '../../lib/hmi/safe-attr';
export { displayText } from '../../lib/hmi/text';
export { safeCssValue, safeClassName, detectBindBy, createBinder } from '../core/binder';
export { decideClick, findClickTarget } from '../core/click';
export { parseHashScreen, buildHash, screenOrder, createNavigator } from '../core/navigator';
export { mergeDelta } from '../core/snapshot';
export { scrub, parseSvg } from '../core/second-pass';
export { formatText } from '../core/texts';
export { createMaraScreen } from '../core/widget';
export { attach } from './attach';
