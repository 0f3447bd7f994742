/**
 * SVG operator screens (server side): parsing, sanitising, indexing, and the pure helpers the screen
 * widget needs (colours, text display rule, manual toggles, attribute allowlist). No Node-RED, no DOM.
 */
export { sanitizeSvg, MAX_DEPTH, MAX_INPUT_LENGTH, MAX_ATTRIBUTE_VALUE, MAX_GEOMETRY_VALUE } from '../svg/sanitize';
export type { SanitizeResult } from '../svg/sanitize';
export { indexScreen, parseScreenLength, deadJumpProblems } from './svg-index';
export type { ScreenIndex, ScreenNodeRef, ScreenTagRef, ScreenJumpRef, IndexOptions, ScreenProblem } from './svg-index';
export { colourCss, normaliseCssColour, isSafeCssColour, CSS_NAMED_COLOURS, DEFAULT_COLOUR_TABLE } from './colours';
export type { ColourEntry, ColourTable } from './colours';
export { displayText } from './text';
export { parseToggle } from './toggle';
export type { Toggle, ToggleOption } from './toggle';
export { isSafeAttributeName, isSafeAttributeValue, SAFE_ATTRIBUTE_NAMES } from './safe-attr';
export { sanitizeDeclarations, sanitizeStylesheet, unsafeCssValueReason } from '../svg/css';
export { parseXml, serializeElement, escapeText, escapeAttribute, NS } from '../svg/xml';
export type { XmlDocument, XmlElement, XmlNode, XmlAttribute, ParseResult } from '../svg/xml';
export { ScreenState, SCREEN_ATTRS } from './screen-state';
export type { ScreenAttr, ScreenView, ScreenRecord, ScreenConfig, ScreenSnapshot, ScreenDelta, ToggleResult } from './screen-state';
