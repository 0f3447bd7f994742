/**
 * The horn of docs/screens.md §6.3 with Web Audio: an OscillatorNode beep, then a pause, again while the journal says it
 * sounds. A browser lets a page make sound only after a user gesture: until then the horn is `locked` (the widget
 * shows "click to enable sound") and the first click anywhere on the page unlocks it. Its state is written on
 * the host as data attributes (data-horn locked|ready|none, data-sounding, data-beeps), which tests read.
 */
import { HORN } from '../../lib/hmi/alarm-rows';

export type HornAccess = 'none' | 'locked' | 'ready';

export interface Horn {
  readonly access: HornAccess;
  /** Whether it should sound now (the journal's horn state, the widget's option). */
  sound(on: boolean): void;
  /** Called from a user gesture: starts the audio context. */
  unlock(): void;
  dispose(): void;
}

interface AudioCtx {
  state: string;
  onstatechange: (() => void) | null;
  currentTime: number;
  destination: AudioNode;
  resume(): Promise<void>;
  close(): Promise<void>;
  createOscillator(): OscillatorNode;
  createGain(): GainNode;
}

export function createHorn(win: Window, host: HTMLElement, onChange: () => void): Horn {
  const Ctor =
    (win as unknown as { AudioContext?: new () => AudioCtx; webkitAudioContext?: new () => AudioCtx }).AudioContext ||
    (win as unknown as { webkitAudioContext?: new () => AudioCtx }).webkitAudioContext;
  let ctx: AudioCtx | null = null;
  try {
    ctx = Ctor ? new Ctor() : null;
  } catch {
    ctx = null;
  }
  let on = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let beeps = 0;
  let disposed = false;

  const access = (): HornAccess => (!ctx ? 'none' : ctx.state === 'running' ? 'ready' : 'locked');
  const mark = () => {
    host.setAttribute('data-horn', access());
    host.setAttribute('data-sounding', on ? 'true' : 'false');
    host.setAttribute('data-beeps', String(beeps));
  };
  const beep = () => {
    timer = null;
    if (disposed || !on || !ctx) return;
    if (ctx.state === 'running') {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = HORN.hz;
      gain.gain.value = HORN.gain;
      osc.connect(gain);
      gain.connect(ctx.destination);
      const t = ctx.currentTime;
      osc.start(t);
      osc.stop(t + HORN.beepMs / 1000);
      beeps++;
      mark();
    }
    timer = setTimeout(beep, HORN.beepMs + HORN.pauseMs);
  };
  const onGesture = () => unlock();
  function unlock(): void {
    if (!ctx || ctx.state === 'running') return;
    ctx.resume().catch(() => undefined); // without a gesture the browser says no: it stays locked
  }
  // suspended or resumed by the browser too (its autoplay policy, the OS taking the device)
  if (ctx)
    ctx.onstatechange = () => {
      if (disposed) return;
      mark();
      onChange();
    };
  // the first click or key anywhere on the page is the gesture the browser wants
  win.document.addEventListener('click', onGesture, true);
  win.document.addEventListener('keydown', onGesture, true);
  mark();
  return {
    get access() {
      return access();
    },
    sound(v: boolean) {
      on = v;
      if (on && !timer) beep();
      if (!on && timer) {
        clearTimeout(timer);
        timer = null;
      }
      mark();
    },
    unlock,
    dispose() {
      disposed = true;
      on = false;
      if (timer) clearTimeout(timer);
      win.document.removeEventListener('click', onGesture, true);
      win.document.removeEventListener('keydown', onGesture, true);
      if (ctx) ctx.close().catch(() => undefined);
    },
  };
}
