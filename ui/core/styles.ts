/** The widget's style sheets (its own elements only; the drawing's sheet is scoped by the server). */

/** The class of a bound node whose element has an unattended alarm (set by the binder only; drawings cannot carry it). */
export const ALARM_CLASS = 'mara-alarm-on';

/**
 * Blinking without timers: a CSS animation while the class is on. The keyframes' name is the widget's own and only
 * its selector uses it; with reduced motion asked for, a steady outline instead of the blink.
 */
const ALARM_CSS = [
  '@keyframes mara-screen-alarm-blink{0%{opacity:1}50%{opacity:.15}100%{opacity:1}}',
  '.mara-screen .mara-view .' + ALARM_CLASS + '{animation:mara-screen-alarm-blink 1s steps(1,end) infinite !important}',
  '@media (prefers-reduced-motion: reduce){.mara-screen .mara-view .' +
    ALARM_CLASS +
    '{animation:none !important;outline:3px solid #ff3b30 !important;outline-offset:2px}}',
];

/** The sheet of the confirmation dialog, inside its shadow root (nothing else reaches it). */
export const DIALOG_CSS = [
  'dialog{all:initial;display:block;position:fixed;inset:0;margin:auto;box-sizing:border-box;width:max-content;min-width:240px;max-width:90vw;height:max-content;max-height:90vh;overflow:auto;background:#fff;color:#222;padding:14px 16px;border-radius:4px;box-shadow:0 4px 18px rgba(0,0,0,.45);font:14px/1.4 sans-serif}',
  'dialog::backdrop{background:rgba(0,0,0,.45)}',
  'div,p{all:initial;display:block;font:inherit;color:inherit;white-space:pre-wrap}',
  '.mara-dialog-title{font-weight:bold;margin:0 0 8px}',
  '.mara-dialog-text{margin:0 0 4px}',
  '.mara-buttons{display:flex;justify-content:flex-end;gap:8px;margin-top:12px;white-space:normal}',
  'button{all:initial;display:inline-block;font:inherit;padding:4px 12px;border-radius:3px;border:1px solid #999;background:#f4f4f4;color:#222;cursor:pointer}',
  'button.mara-primary{background:#2b6cb0;border-color:#2b6cb0;color:#fff}',
  'button:focus-visible{outline:2px solid #2b6cb0;outline-offset:2px}',
].join('\n');

/** The widget's sheet; `cls` is the (checked) class of nodes with bad quality. */
export function screenCss(cls: string): string {
  const q = '.mara-screen .' + cls;
  return [
    '.mara-screen{position:relative;display:flex;flex-direction:column;width:100%;height:100%;min-height:120px;overflow:hidden;box-sizing:border-box}',
    '.mara-screen .mara-bar{display:flex;align-items:center;gap:6px;padding:2px 2px 4px;flex:0 0 auto;font-size:14px}',
    '.mara-screen .mara-bar button,.mara-screen .mara-bar select{font:inherit;font-size:13px;height:26px;padding:0 8px;border-radius:3px;border:1px solid rgba(128,128,128,.6);background:transparent;color:inherit;cursor:pointer}',
    '.mara-screen .mara-bar button:disabled{opacity:.4;cursor:default}',
    '.mara-screen .mara-bar select option{color:#222;background:#fff}',
    '.mara-screen .mara-view{position:relative;flex:1 1 auto;min-height:0;border-radius:2px}',
    '.mara-screen .mara-view>svg{position:absolute;left:0;top:0;width:100%;height:100%;display:block}',
    '.mara-screen .mara-clickable{cursor:pointer}',
    '.mara-screen .mara-message{position:absolute;left:0;top:0;right:0;bottom:0;display:flex;align-items:center;justify-content:center;opacity:.7}',
    q + '{filter:grayscale(1) opacity(.55)}',
    q + ' path,' + q + ' rect,.mara-screen path.' + cls + ',.mara-screen rect.' + cls + '{stroke-dasharray:4 3}',
    '.mara-screen text.' + cls + '{text-decoration:line-through}',
    '.mara-screen .mara-backdrop{position:absolute;left:0;top:0;right:0;bottom:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;z-index:20}',
    '.mara-screen .mara-dialog{background:#fff;color:#222;min-width:240px;max-width:90%;padding:14px 16px;border-radius:4px;box-shadow:0 4px 18px rgba(0,0,0,.45);font-size:14px}',
    '.mara-screen .mara-dialog .mara-dialog-title{font-weight:bold;margin:0 0 8px}',
    '.mara-screen .mara-dialog .mara-dialog-text{margin:0 0 4px;white-space:pre-wrap}',
    '.mara-screen .mara-dialog .mara-buttons{display:flex;justify-content:flex-end;gap:8px;margin-top:12px}',
    '.mara-screen .mara-dialog button{font:inherit;padding:4px 12px;border-radius:3px;border:1px solid #999;background:#f4f4f4;color:#222;cursor:pointer}',
    '.mara-screen .mara-dialog button.mara-primary{background:#2b6cb0;border-color:#2b6cb0;color:#fff}',
    ...ALARM_CSS,
  ].join('\n');
}
