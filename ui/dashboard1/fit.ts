/**
 * The screen fits its group (issue 12 item 10): Dashboard 1 gives a widget a fixed size in grid units, which
 * cut a wide diagram on a small display and left a large one small. The widget's card takes the width the
 * page has for the group (never more than the page), and the height that keeps the drawing's aspect; the
 * group around it grows or shrinks by as much. The drawing scales inside (viewBox, meet).
 */
export function fitToWidth(host: HTMLElement, svg: SVGSVGElement | null, bar: HTMLElement | null): true | undefined {
  const card = (host.closest ? host.closest<HTMLElement>('md-card') || host.parentElement : host.parentElement) as HTMLElement | null;
  const panel = host.closest ? host.closest<HTMLElement>('.nr-dashboard-cardpanel') : null;
  if (!card || !svg || !svg.viewBox || !svg.viewBox.baseVal) return;
  const vb = svg.viewBox.baseVal;
  if (!(vb.width > 0 && vb.height > 0)) return;
  // the tab's content area (Dashboard 1 lays the groups out in it), else the page
  const area = (host.closest && host.closest<HTMLElement>('.masonry-container')) || document.documentElement;
  const gap = 6;
  const chrome = panel ? Math.max(0, panel.offsetWidth - card.offsetWidth) : 0;
  const width = Math.max(240, Math.floor(Math.min(area.clientWidth, document.documentElement.clientWidth) - 4 * gap - 2 * chrome));
  const barH = bar ? bar.offsetHeight : 0;
  const extra = card.offsetHeight - host.clientHeight; // the card's own padding
  const height = Math.ceil((width * vb.height) / vb.width + barH + Math.max(0, extra) + 2);
  const dW = width - card.offsetWidth;
  const dH = height - card.offsetHeight;
  if (Math.abs(dW) < 1 && Math.abs(dH) < 1) return;
  // every box from the card up to the group that the dashboard sized: by the same difference
  for (let n: HTMLElement | null = card; n && n !== area; n = n.parentElement) {
    if (n.style.width) n.style.width = n.offsetWidth + dW + 'px';
    if (n.style.height) n.style.height = n.offsetHeight + dH + 'px';
    if (n === panel) break;
  }
  if (!card.style.width) card.style.width = width + 'px';
  if (!card.style.height) card.style.height = height + 'px';
  return true;
}
