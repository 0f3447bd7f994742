/**
 * The security boundary for drawings from users: a bounded XML parser, the allowlist SVG sanitiser and the CSS
 * filter it uses (README, Security). Nothing a drawing holds can script or style the page around it.
 */
export { sanitizeSvg, MAX_DEPTH, MAX_INPUT_LENGTH, MAX_ATTRIBUTE_VALUE, MAX_GEOMETRY_VALUE, MAX_REMOVED_ENTRIES, SCOPE_ATTRIBUTE } from './sanitize';
export type { SanitizeResult, SanitizeOptions } from './sanitize';
export { sanitizeDeclarations, sanitizeStylesheet, unsafeCssValueReason } from './css';
export type { CssResult } from './css';
export { parseXml, serializeElement, escapeText, escapeAttribute, NS } from './xml';
export type { XmlDocument, XmlElement, XmlNode, XmlAttribute, ParseResult, ParseOptions } from './xml';
