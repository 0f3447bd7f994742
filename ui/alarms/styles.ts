/** The alarm widget's sheet (its own elements only; the confirmation dialog has its own, ui/core/styles.ts). */
export function alarmsCss(): string {
  const w = '.mara-alarms';
  return [
    `${w}{display:flex;flex-direction:column;width:100%;height:100%;overflow:auto;box-sizing:border-box;font-size:13px}`,
    `${w} .mara-alarms-top{display:flex;flex-wrap:wrap;align-items:center;gap:8px;padding:2px 0 4px}`,
    `${w} .mara-alarms-title{font-weight:bold;flex:1 1 auto}`,
    `${w} .mara-sounding{color:#e53935;font-weight:bold}`,
    `${w} .mara-alarms-user{opacity:.7}`,
    `${w} button{font:inherit;font-size:12px;padding:2px 8px;border-radius:3px;border:1px solid rgba(128,128,128,.6);background:transparent;color:inherit;cursor:pointer}`,
    `${w} button:disabled{opacity:.4;cursor:default}`,
    `${w} table{border-collapse:collapse;width:100%}`,
    `${w} th,${w} td{padding:2px 6px;text-align:left;border-bottom:1px solid rgba(128,128,128,.3);white-space:nowrap}`,
    `${w} td.mara-desc{white-space:normal}`,
    `${w} tr.mara-clickable{cursor:pointer}`,
    `${w} a.mara-unattended{color:inherit;font-weight:bold;text-decoration:underline}`,
    `${w} .mara-filters{display:flex;flex-wrap:wrap;gap:6px;align-items:flex-end;margin-bottom:4px}`,
    `${w} .mara-filter{display:flex;flex-direction:column;font-size:11px}`,
    `${w} .mara-filter input,${w} .mara-filter select{font:inherit;font-size:12px;color:#222;background:#fff}`,
    `${w} .mara-paging,${w} .mara-actions{display:flex;gap:6px;margin-top:4px}`,
    `${w} .mara-alarms-empty{opacity:.7;padding:6px 0}`,
    `${w} .mara-alarms-msg{color:#e53935;min-height:1em}`,
    `${w} .mara-backdrop{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;z-index:20}`,
    `${w} .mara-backdrop .mara-dialog{background:#fff;color:#222;padding:14px 16px;border-radius:4px}`,
  ].join('\n');
}
