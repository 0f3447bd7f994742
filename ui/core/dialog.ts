/**
 * A dialog no page CSS can reach (issue 10 item 7): a native <dialog> shown modal (the browser's top layer:
 * nothing on the page can cover it, no ancestor's opacity, filter or clip applies) inside a shadow root
 * (page selectors cannot match it; its own sheet styles it, `all: initial` cuts inherited properties), hung
 * on a host in <body> whose few properties that could still hide it are set inline with !important. Texts
 * go in with textContent only. Without shadow DOM or <dialog> (old browsers, the test DOM) it falls back to
 * an overlay in the widget.
 */
import { DIALOG_CSS } from './styles';

export interface DialogButton {
  label: string;
  primary?: boolean;
  run?: () => void;
}

export interface Dialogs {
  open(heading: string, lines: string[], buttons: DialogButton[]): void;
  close(): void;
}

/** `el(name, cls, text)`: an element of the widget's document with a class and a text. */
export type MakeElement = (name: string, cls?: string, text?: string) => HTMLElement;

export function createDialogs(doc: Document, container: Element, el: MakeElement): Dialogs {
  let dialog: { host: HTMLElement; dlg: HTMLDialogElement | null } | null = null;

  function open(heading: string, lines: string[], buttons: DialogButton[]): void {
    close();
    const body = doc.body;
    const host = body ? doc.createElement('div') : null;
    const canTopLayer = !!(
      host &&
      typeof host.attachShadow === 'function' &&
      typeof (doc.createElement('dialog') as HTMLDialogElement).showModal === 'function'
    );
    let first: HTMLButtonElement | null = null;
    const makeButtons = (row: HTMLElement, cls: string) => {
      buttons.forEach((b) => {
        const btn = el('button', b.primary ? cls : '', b.label) as HTMLButtonElement;
        btn.type = 'button';
        btn.addEventListener('click', (ev) => {
          ev.stopPropagation();
          close();
          if (b.run) b.run();
        });
        row.appendChild(btn);
        if (!first) first = btn;
      });
    };
    if (canTopLayer && host) {
      host.className = 'mara-dialog-host';
      ['display:block', 'visibility:visible', 'opacity:1', 'content-visibility:visible', 'position:static', 'contain:none'].forEach((d) => {
        const i = d.indexOf(':');
        host.style.setProperty(d.slice(0, i), d.slice(i + 1), 'important');
      });
      const shadow = host.attachShadow({ mode: 'open' });
      const sheet = el('style');
      sheet.textContent = DIALOG_CSS;
      shadow.appendChild(sheet);
      const dlg = doc.createElement('dialog');
      dlg.className = 'mara-dialog';
      dlg.setAttribute('aria-label', heading);
      dlg.appendChild(el('div', 'mara-dialog-title', heading));
      lines.forEach((l) => dlg.appendChild(el('p', 'mara-dialog-text', l)));
      const row = el('div', 'mara-buttons');
      makeButtons(row, 'mara-primary');
      dlg.appendChild(row);
      dlg.addEventListener('close', () => {
        if (dialog && dialog.host === host) close();
      });
      dlg.addEventListener('click', (ev) => ev.stopPropagation());
      shadow.appendChild(dlg);
      body.appendChild(host);
      dialog = { host, dlg };
      try {
        dlg.showModal();
      } catch {
        dlg.setAttribute('open', '');
      }
    } else {
      const back = el('div', 'mara-backdrop');
      const box = el('div', 'mara-dialog');
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-modal', 'true');
      box.appendChild(el('div', 'mara-dialog-title', heading));
      lines.forEach((l) => box.appendChild(el('p', 'mara-dialog-text', l)));
      const row2 = el('div', 'mara-buttons');
      makeButtons(row2, 'mara-primary');
      box.appendChild(row2);
      back.appendChild(box);
      back.addEventListener('click', (ev) => {
        if (ev.target === back) close();
      });
      back.addEventListener('keydown', (ev) => {
        if ((ev as KeyboardEvent).key === 'Escape') close();
      });
      container.appendChild(back);
      dialog = { host: back, dlg: null };
    }
    const f = first as HTMLButtonElement | null;
    if (f && typeof f.focus === 'function') f.focus(); // the first button is the safe one
  }

  function close(): void {
    const d = dialog;
    dialog = null;
    if (!d) return;
    if (d.dlg && d.dlg.open && typeof d.dlg.close === 'function') {
      try {
        d.dlg.close();
      } catch {
        /* already closed */
      }
    }
    if (d.host.parentNode) d.host.parentNode.removeChild(d.host);
  }

  return { open, close };
}
