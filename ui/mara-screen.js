/*
 * Browser side of the ui_mara_screen dashboard widget (docs/screens.md §5, docs/screens.md §6): binds the nodes of a sanitised SVG
 * screen by their `tag` attribute, paints element changes, dispatches clicks, navigates between screens.
 *
 * Plain ES2017, no imports, no globals besides the one `var MaraScreenUI` this file declares. The node sends this
 * text as the body of the dashboard's `initController` (so the `var` is local to that function); tests load it
 * in a `vm` context or a page. It never uses innerHTML, eval or new Function: SVG text becomes DOM through
 * DOMParser (which runs nothing), is scrubbed once more here, and data only reaches the page through
 * `textContent`, `style.setProperty` of allowlisted properties with checked values, and `classList`.
 *
 * Decisions:
 * - Text display rule (docs/screens.md §5.6) is applied HERE, at paint time: the server keeps the element's raw text (a toggle
 *   compares it with its keys, formulas read it), the browser shows `displayText(raw)`.
 * - Colours arrive resolved (the server maps table indexes to CSS, docs/screens.md §5.3); null means "back to the drawing".
 * - A screen with no `tag` attribute at all binds by `id` (first node per key in document order either way).
 */
var MaraScreenUI = (function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';

  // ---------------------------------------------------------------------------------------------------------
  // Pure helpers
  // ---------------------------------------------------------------------------------------------------------

  /** The attribute names data may write (mirror of lib/hmi/safe-attr.ts SAFE_ATTRIBUTE_NAMES). */
  var SAFE_ATTRIBUTE_NAMES = [
    'fill', 'stroke', 'opacity', 'fill-opacity', 'stroke-opacity', 'stroke-width', 'stroke-dasharray',
    'visibility', 'display', 'class', 'transform'
  ];
  var SAFE_ATTR = Object.create(null);
  SAFE_ATTRIBUTE_NAMES.forEach(function (n) { SAFE_ATTR[n] = true; });

  function isSafeAttributeName(name) {
    return typeof name === 'string' && SAFE_ATTR[name] === true;
  }

  /** Of those, the ones the binder writes as CSS properties (class/transform are never written from data). */
  function isStyleProperty(name) {
    return isSafeAttributeName(name) && name !== 'class' && name !== 'transform';
  }

  /** `#rgb`, `#rrggbb` or a bare keyword (named colours, none, transparent): nothing that can load or run. */
  var COLOUR_RE = /^(?:#[0-9a-f]{3}|#[0-9a-f]{6}|[a-z]{1,24})$/;
  /** Numbers, lengths, dash lists, keywords: no parentheses, quotes, colons or backslashes. */
  var PLAIN_VALUE_RE = /^[a-z0-9#., %+-]{1,64}$/;

  function safeCssValue(prop, value) {
    if (typeof value !== 'string') return null;
    var v = value.trim().toLowerCase();
    if (prop === 'fill' || prop === 'stroke') return COLOUR_RE.test(v) ? v : null;
    return PLAIN_VALUE_RE.test(v) ? v : null;
  }

  var CLASS_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
  function safeClassName(name) {
    return typeof name === 'string' && CLASS_RE.test(name) ? name : null;
  }

  /** Spec docs/screens.md §5.6: no space and a dot → parseFloat(v).toFixed(2); a NaN keeps the text (fix). Same as lib/hmi/text.ts. */
  function displayText(text) {
    if (text === null || text === undefined) return '';
    var v = typeof text === 'string' ? text : String(text);
    if (v.indexOf(' ') >= 0 || v.indexOf('.') < 0) return v;
    var n = parseFloat(v);
    if (isNaN(n)) return v;
    return n.toFixed(2);
  }

  /** Toggle options `[[key, label], [key, label]]` → the key to switch to from `current` (docs/screens.md §6.4). */
  function toggleNext(options, current) {
    var c = current === null || current === undefined ? '' : String(current).trim();
    if (c === options[0][0]) return options[1][0];
    if (c === options[1][0]) return options[0][0];
    return options[1][0];
  }

  function toggleLabel(options, key) {
    var k = key === null || key === undefined ? '' : String(key).trim();
    for (var i = 0; i < options.length; i++) if (options[i][0] === k) return options[i][1];
    return k;
  }

  function validToggle(t) {
    return Array.isArray(t) && t.length === 2 && t.every(function (o) {
      return Array.isArray(o) && o.length === 2 && typeof o[0] === 'string' && typeof o[1] === 'string';
    });
  }

  /** `{name}` placeholders replaced by plain strings (the result only ever goes to textContent). */
  function formatText(template, vars) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m;
    });
  }

  /** The screen named by `mara-screen=<name>` in a URL hash (`#mara-screen=S1`, `#!/0?mara-screen=S1`), or null. */
  function parseHashScreen(hash) {
    var m = /(?:^#|[#?&])mara-screen=([^&#]*)/.exec(typeof hash === 'string' ? hash : '');
    if (!m) return null;
    try {
      var name = decodeURIComponent(m[1].replace(/\+/g, ' '));
      return name || null;
    } catch (e) {
      return null;
    }
  }

  /**
   * The hash with `mara-screen` set to `name`. A bare page gets `#mara-screen=<name>`; inside Dashboard 1 (an
   * AngularJS hashbang URL `#!/<tab>`) the name goes in the hash's query (`#!/0?mara-screen=<name>`), so the
   * dashboard keeps its tab and does not reload anything.
   */
  function buildHash(hash, name) {
    var h = typeof hash === 'string' ? hash : '';
    var enc = encodeURIComponent(name);
    if (/(?:^#|[#?&])mara-screen=/.test(h)) return h.replace(/((?:^#|[#?&])mara-screen=)[^&#]*/, '$1' + enc);
    if (h === '' || h === '#') return '#mara-screen=' + enc;
    return h + (h.indexOf('?') >= 0 ? '&' : '?') + 'mara-screen=' + enc;
  }

  /** Screens in menu order (docs/screens.md §6.2: by parent, then name): a depth-first walk of the tree, names sorted. */
  function screenOrder(screens) {
    var byName = Object.create(null);
    screens.forEach(function (s) { byName[s.name] = s; });
    var children = Object.create(null);
    var roots = [];
    screens.forEach(function (s) {
      if (s.parent && byName[s.parent] && s.parent !== s.name) (children[s.parent] = children[s.parent] || []).push(s);
      else roots.push(s);
    });
    var cmp = function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; };
    var out = [];
    var seen = Object.create(null);
    var visit = function (s, depth) {
      if (seen[s.name]) return;
      seen[s.name] = true;
      out.push({ name: s.name, depth: depth, description: s.description || '' });
      (children[s.name] || []).slice().sort(cmp).forEach(function (c) { visit(c, depth + 1); });
    };
    roots.slice().sort(cmp).forEach(function (r) { visit(r, 0); });
    screens.forEach(function (s) { visit(s, 0); }); // parent cycles: still listed
    return out;
  }

  /**
   * What a click on a bound node does (docs/screens.md §6.5, after the innermost-node rule):
   * toggle (record with a valid toggle, not read-only) → jump (record's onClickJump, else the node's `jump-to`
   * when that screen exists, fix of docs/screens.md §6.2) → info dialog. In a project a tag without a record shows nothing (the
   * original warned debug users only); a single SVG has no records and shows the info dialog.
   */
  function decideClick(c) {
    var rec = c.record;
    var exists = c.screenExists || function () { return false; };
    if (rec && validToggle(rec.t)) {
      if (!c.readOnly) return { action: 'toggle', options: rec.t };
      return { action: 'info', readOnly: true };
    }
    if (rec && rec.j && exists(rec.j)) return { action: 'jump', target: rec.j };
    if (c.jumpTo && exists(c.jumpTo)) return { action: 'jump', target: c.jumpTo };
    if (rec || !c.hasRecords) return c.key ? { action: 'info' } : { action: 'none' };
    return { action: 'none' };
  }

  /** Merges a delta into a snapshot in place (state, quality); returns the tags touched. */
  function mergeDelta(snap, d) {
    var touched = [];
    if (!snap || !d) return touched;
    if (!snap.state) snap.state = {};
    if (!snap.quality) snap.quality = {};
    var st = d.state || {};
    Object.keys(st).forEach(function (tag) {
      var ch = st[tag];
      if (!ch || typeof ch !== 'object') return;
      var cur = snap.state[tag];
      Object.keys(ch).forEach(function (attr) {
        var v = ch[attr];
        if (v === null || v === undefined) {
          if (cur) delete cur[attr];
        } else {
          if (!cur) cur = snap.state[tag] = {};
          cur[attr] = v;
        }
      });
      if (cur && !Object.keys(cur).length) delete snap.state[tag];
      touched.push(tag);
    });
    var q = d.quality || {};
    Object.keys(q).forEach(function (tag) {
      if (q[tag] === null || q[tag] === undefined || q[tag] === 'good') delete snap.quality[tag];
      else snap.quality[tag] = q[tag];
    });
    if (typeof d.seq === 'number') snap.seq = d.seq;
    if (d.screen && typeof d.screen.name === 'string') snap.screen = d.screen.name;
    return touched;
  }

  // ---------------------------------------------------------------------------------------------------------
  // DOM walking (childNodes + nodeType only, so a tiny fake DOM is enough to test the binder)
  // ---------------------------------------------------------------------------------------------------------

  function localNameOf(el) {
    return el.localName || (el.tagName ? String(el.tagName).toLowerCase() : '');
  }

  /** Pre-order walk of the element tree below (and including) `root`; `fn` returns false to skip a subtree. */
  function walk(root, fn) {
    var stack = [root];
    while (stack.length) {
      var el = stack.pop();
      if (fn(el) === false) continue;
      var kids = el.childNodes;
      for (var i = kids.length - 1; i >= 0; i--) if (kids[i].nodeType === 1) stack.push(kids[i]);
    }
  }

  function hasRealTag(el) {
    var t = el.getAttribute('tag');
    return !!t && t !== 'nopaint';
  }

  /** 'tag' if any node carries a real `tag` attribute, else 'id' (screens drawn without tags). */
  function detectBindBy(root) {
    var found = false;
    walk(root, function (el) {
      if (found) return false;
      if (hasRealTag(el)) found = true;
      return !found;
    });
    return found ? 'tag' : 'id';
  }

  var TEXT_ELEMENTS = { text: true, tspan: true, textPath: true, flowPara: true, flowSpan: true, title: true };

  /**
   * The innermost node handling a click (docs/screens.md §6.5 fix): from `target` up to (not including) `root`, the first
   * node that is bound (`isKey(key)`) or carries `jump-to`. Returns {node, key, jumpTo} or null.
   */
  function findClickTarget(target, root, isKey, bindBy) {
    var n = target;
    while (n && n !== root && n.nodeType === 1) {
      var k = n.getAttribute(bindBy || 'tag');
      var j = n.getAttribute('jump-to');
      var bound = isKey(k);
      if (bound || j) return { node: n, key: bound ? k : null, jumpTo: j || null };
      n = n.parentNode;
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Binder: state → DOM, coalesced per animation frame, only changed values written
  // ---------------------------------------------------------------------------------------------------------

  function defaultRaf(fn) {
    if (typeof requestAnimationFrame === 'function') return requestAnimationFrame(fn);
    return setTimeout(fn, 16);
  }

  /**
   * @param root the screen's `<svg>` element
   * @param o {raf?, qualityClass?, bindBy?: 'tag'|'id'}
   */
  function createBinder(root, o) {
    o = o || {};
    var raf = o.raf || defaultRaf;
    var qualityClass = safeClassName(o.qualityClass) || 'mara-bad-quality';
    var bindBy = o.bindBy === 'tag' || o.bindBy === 'id' ? o.bindBy : detectBindBy(root);
    var UNSET = {};
    var index = Object.create(null);
    var count = 0;
    var pending = [];
    var scheduled = false;
    var disposed = false;
    var stats = { writes: 0, flushes: 0 };

    // one fixed-shape record per bound node: what is wanted (UNSET = nothing pending), what is applied
    function Entry(el, name) {
      this.node = el;
      this.group = name === 'g';
      this.textual = TEXT_ELEMENTS[name] === true;
      this.targets = null;
      this.queued = false;
      this.wText = UNSET;
      this.wFill = UNSET;
      this.wStroke = UNSET;
      this.wBad = UNSET;
      this.wOther = null;
      this.aText = undefined;
      this.aFill = undefined;
      this.aStroke = undefined;
      this.aOther = null;
      this.origFill = null;
      this.origStroke = null;
      this.origOther = null;
      this.origChildren = null;
      this.origText = null;
      this.lines = null;
      this.lineTexts = null;
      this.bad = false;
    }

    walk(root, function (el) {
      var key = el.getAttribute(bindBy);
      if (!key || key === 'nopaint' || index[key]) return;
      index[key] = new Entry(el, localNameOf(el));
      count++;
    });

    /** Paint targets: the node, or for a `<g>` every descendant path/rect outside `tag="nopaint"` (docs/screens.md §5.1, docs/screens.md §5.3). */
    function targetsOf(e) {
      if (e.targets) return e.targets;
      if (!e.group) return (e.targets = [e.node]);
      var list = [];
      walk(e.node, function (el) {
        if (el !== e.node && el.getAttribute('tag') === 'nopaint') return false;
        var n = localNameOf(el);
        if (n === 'path' || n === 'rect') list.push(el);
      });
      return (e.targets = list);
    }

    /** Writes `css` (null: the drawing's own inline value back, or none) on every target; `memo` keeps the originals. */
    function writeStyle(e, prop, css, memo) {
      var ts = targetsOf(e);
      for (var i = 0; i < ts.length; i++) {
        var st = ts[i].style;
        if (memo[i] === undefined) memo[i] = [st.getPropertyValue(prop), st.getPropertyPriority(prop)];
        if (css === null) {
          if (memo[i][0]) st.setProperty(prop, memo[i][0], memo[i][1]);
          else st.removeProperty(prop);
        } else st.setProperty(prop, css);
        stats.writes++;
      }
    }

    /** The drawing's own text of a label (before any write), trimmed. */
    function ownText(e) {
      if (e.origText === null) e.origText = String(e.node.textContent || '').trim();
      return e.origText !== '';
    }

    /** The label's lines: its direct `<tspan>` children (Inkscape writes one per line), or none. */
    function linesOf(el) {
      var out = [];
      for (var i = 0; i < el.childNodes.length; i++) {
        var n = el.childNodes[i];
        if (n.nodeType === 1 && localNameOf(n) === 'tspan') out.push(n);
      }
      return out;
    }

    function writeText(e, value) {
      var el = e.node;
      if (!e.origChildren) {
        if (e.origText === null) e.origText = String(el.textContent || '').trim();
        e.origChildren = [];
        for (var j = 0; j < el.childNodes.length; j++) e.origChildren.push(el.childNodes[j]);
        // a label drawn as lines (two or more tspans, as Inkscape writes them) keeps them: line n of a text goes
        // into tspan n (its position and style), the rest on the last line; a one-line text on the first line
        var lines = linesOf(el);
        if (lines.length > 1) {
          e.lines = lines;
          e.lineTexts = lines.map(function (t) { return t.textContent; });
        }
      }
      if (e.lines) {
        var parts = value === null ? e.lineTexts : String(value).split('\n');
        for (var k = 0; k < e.lines.length; k++) {
          e.lines[k].textContent = value === null ? parts[k] : k < parts.length ? (k === e.lines.length - 1 ? parts.slice(k).join(' ') : parts[k]) : '';
        }
        stats.writes++;
        return;
      }
      if (value === null) {
        while (el.firstChild) el.removeChild(el.firstChild);
        for (var i = 0; i < e.origChildren.length; i++) el.appendChild(e.origChildren[i]);
        stats.writes++;
        return;
      }
      el.textContent = value;
      stats.writes++;
    }

    function applyOne(e) {
      e.queued = false;
      var v;
      if (e.wText !== UNSET) {
        v = e.wText;
        e.wText = UNSET;
        if (v !== (e.aText === undefined ? null : e.aText)) {
          e.aText = v === null ? undefined : v;
          writeText(e, v);
        }
      }
      if (e.wFill !== UNSET) {
        v = e.wFill;
        e.wFill = UNSET;
        if (v !== (e.aFill === undefined ? null : e.aFill)) {
          e.aFill = v === null ? undefined : v;
          writeStyle(e, 'fill', v, e.origFill || (e.origFill = []));
        }
      }
      if (e.wStroke !== UNSET) {
        v = e.wStroke;
        e.wStroke = UNSET;
        if (v !== (e.aStroke === undefined ? null : e.aStroke)) {
          e.aStroke = v === null ? undefined : v;
          writeStyle(e, 'stroke', v, e.origStroke || (e.origStroke = []));
        }
      }
      if (e.wOther) {
        var w = e.wOther;
        e.wOther = null;
        for (var prop in w) {
          v = w[prop];
          var applied = e.aOther || (e.aOther = Object.create(null));
          if (v === (prop in applied ? applied[prop] : null)) continue;
          if (v === null) delete applied[prop];
          else applied[prop] = v;
          var memos = e.origOther || (e.origOther = Object.create(null));
          writeStyle(e, prop, v, memos[prop] || (memos[prop] = []));
        }
      }
      if (e.wBad !== UNSET) {
        v = e.wBad;
        e.wBad = UNSET;
        if (v !== e.bad) {
          e.bad = v;
          if (v) e.node.classList.add(qualityClass);
          else e.node.classList.remove(qualityClass);
          stats.writes++;
        }
      }
    }

    function flush() {
      scheduled = false;
      if (disposed) return 0;
      var before = stats.writes;
      var list = pending;
      pending = [];
      for (var i = 0; i < list.length; i++) applyOne(list[i]);
      stats.flushes++;
      return stats.writes - before;
    }

    function mark(e) {
      if (!e.queued) {
        e.queued = true;
        pending.push(e);
      }
      if (!scheduled && !disposed) {
        scheduled = true;
        raf(flush);
      }
    }

    /** Wants `attr` of `key` to be `value` (text: raw text; fill/stroke: CSS colour; null: the drawing's). */
    function set(key, attr, value) {
      var e = index[key];
      if (!e) return false;
      var none = value === null || value === undefined;
      var v;
      if (attr === 'text') {
        if (!e.textual) return false;
        // a static workbook text (no formula, no point, no toggle drives it) leaves a drawing label that has text
        // alone, unless the project asks for the workbook's texts (issue 12 item 5)
        // (only while the drawing's text shows: a live value written since is replaced as usual)
        if (!none && o.keepLabel && e.aText === undefined && o.keepLabel(key, value) && ownText(e)) return false;
        e.wText = none ? null : displayText(value);
      } else if (isStyleProperty(attr)) {
        if (none) v = null;
        else {
          v = safeCssValue(attr, String(value));
          if (v === null) return false;
        }
        if (attr === 'fill') e.wFill = v;
        else if (attr === 'stroke') e.wStroke = v;
        else (e.wOther || (e.wOther = Object.create(null)))[attr] = v;
      } else return false;
      mark(e);
      return true;
    }

    function setQuality(key, bad) {
      var e = index[key];
      if (!e) return false;
      e.wBad = !!bad;
      mark(e);
      return true;
    }

    /** Everything at once (screen entry, snapshot): attributes absent from `state` go back to the drawing. */
    function applyAll(state, quality) {
      state = state || {};
      quality = quality || {};
      Object.keys(index).forEach(function (key) {
        var s = Object.prototype.hasOwnProperty.call(state, key) ? state[key] : null;
        var e = index[key];
        var attrs = Object.create(null);
        if (e.aText !== undefined) attrs.text = true;
        if (e.aFill !== undefined) attrs.fill = true;
        if (e.aStroke !== undefined) attrs.stroke = true;
        if (e.aOther) Object.keys(e.aOther).forEach(function (a) { attrs[a] = true; });
        if (s) Object.keys(s).forEach(function (a) { attrs[a] = true; });
        Object.keys(attrs).forEach(function (a) { set(key, a, s && s[a] !== undefined ? s[a] : null); });
        var q = Object.prototype.hasOwnProperty.call(quality, key) ? quality[key] : null;
        if (q || e.bad) setQuality(key, isBadQuality(q));
      });
    }

    return {
      bindBy: bindBy,
      size: function () { return count; },
      has: function (key) { return !!index[key]; },
      node: function (key) { return index[key] ? index[key].node : null; },
      keys: function () { return Object.keys(index); },
      keyOf: function (el) { return el && el.getAttribute ? el.getAttribute(bindBy) : null; },
      set: set,
      setQuality: setQuality,
      applyAll: applyAll,
      flush: flush,
      pending: function () { return pending.length; },
      stats: stats,
      dispose: function () {
        disposed = true;
        for (var i = 0; i < pending.length; i++) pending[i].queued = false;
        pending = [];
      }
    };
  }

  function isBadQuality(q) {
    return !!q && q !== 'good';
  }

  // ---------------------------------------------------------------------------------------------------------
  // Navigation: current screen ⇄ URL hash (browser back/forward), up, jump
  // ---------------------------------------------------------------------------------------------------------

  /**
   * @param o {exists(name), parentOf(name), show(name), win?}
   * `win` is a window-like object (location.hash, addEventListener('hashchange')); without it the navigator keeps
   * its own history (back/forward).
   */
  function createNavigator(o) {
    var win = o.win || null;
    var current = null;
    var own = [];
    var pos = -1;

    function show(name) {
      if (!o.exists(name) || name === current) return false;
      current = name;
      o.show(name);
      return true;
    }

    function go(name) {
      if (!o.exists(name)) return false;
      if (win) {
        var h = buildHash(win.location.hash, name);
        if (h !== win.location.hash) win.location.hash = h; // a history entry; hashchange follows
      } else if (name !== current) {
        own = own.slice(0, pos + 1);
        own.push(name);
        pos = own.length - 1;
      }
      return show(name);
    }

    function start(fallback) {
      var fromHash = win ? parseHashScreen(win.location.hash) : null;
      if (fromHash && o.exists(fromHash)) {
        if (!show(fromHash)) return current;
        return current;
      }
      if (fallback && o.exists(fallback)) {
        if (win) {
          // replace, not push: entering the page is not a navigation step
          var h = buildHash(win.location.hash, fallback);
          if (win.history && typeof win.history.replaceState === 'function' && win.location.hash !== h) {
            try {
              win.history.replaceState(win.history.state, '', h);
            } catch (e) {
              /* some embedders forbid it: the hash just stays as it is */
            }
          }
        } else {
          own = [fallback];
          pos = 0;
        }
        show(fallback);
      }
      return current;
    }

    function onHash() {
      var name = parseHashScreen(win.location.hash);
      if (name && o.exists(name)) show(name);
    }
    if (win) win.addEventListener('hashchange', onHash);

    return {
      current: function () { return current; },
      go: go,
      start: start,
      up: function () {
        var p = current ? o.parentOf(current) : null;
        return p ? go(p) : false;
      },
      back: function () {
        if (win) {
          win.history.back();
          return true;
        }
        if (pos <= 0) return false;
        pos--;
        return show(own[pos]);
      },
      forward: function () {
        if (win) {
          win.history.forward();
          return true;
        }
        if (pos >= own.length - 1) return false;
        pos++;
        return show(own[pos]);
      },
      /** Forget the current screen (its content changed): the next show() of it re-renders. */
      invalidate: function () { current = null; },
      dispose: function () { if (win) win.removeEventListener('hashchange', onHash); }
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // SVG text → DOM (DOMParser), with a second scrub after the server's sanitiser
  // ---------------------------------------------------------------------------------------------------------

  var BLOCKED = {
    script: 1, foreignobject: 1, iframe: 1, embed: 1, object: 1, audio: 1, video: 1, canvas: 1, animate: 1,
    set: 1, animatemotion: 1, animatetransform: 1, animatecolor: 1, discard: 1, handler: 1, listener: 1, link: 1,
    meta: 1, base: 1, form: 1, input: 1, button: 1
  };
  var RASTER_DATA_RE = /^data:image\/(?:png|jpeg|gif|webp);base64,/i;
  /** Inline, !important: a drawing's root cannot leave the widget (position:fixed, z-index, transforms). */
  var ROOT_STYLE = [
    ['position', 'absolute'], ['left', '0'], ['top', '0'], ['right', 'auto'], ['bottom', 'auto'], ['width', '100%'], ['height', '100%'],
    ['display', 'block'], ['z-index', 'auto'], ['transform', 'none'], ['margin', '0'], ['visibility', 'visible'], ['opacity', '1']
  ];

  /** Removes what can run or fetch: blocked or non-SVG elements, on* attributes, non-local references. */
  function scrub(root) {
    var kill = [];
    walk(root, function (el) {
      var name = localNameOf(el).toLowerCase();
      if (el !== root && (el.namespaceURI !== SVG_NS || BLOCKED[name])) {
        kill.push(el);
        return false;
      }
      var attrs = el.attributes;
      for (var i = attrs.length - 1; i >= 0; i--) {
        var a = attrs[i];
        var an = (a.localName || a.name).toLowerCase();
        var v = String(a.value).replace(/[\u0000-\u0020]/g, '').toLowerCase();
        var bad = an.indexOf('on') === 0 || (an === 'data-mara-scope' && el !== root) ||
          ((an === 'href' || an === 'src') && v.charAt(0) !== '#' && !(name === 'image' && RASTER_DATA_RE.test(v))) ||
          /(?:java|vb)script:|expression\(|@import/.test(v) ||
          /url\((?!['"]?#)/.test(v);
        if (bad) el.removeAttributeNode(a);
      }
    });
    kill.forEach(function (el) { if (el.parentNode) el.parentNode.removeChild(el); });
    return root;
  }

  function parseSvg(doc, text) {
    if (typeof text !== 'string' || !text || typeof DOMParser !== 'function') return null;
    var parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
    var root = parsed.documentElement;
    if (!root || root.namespaceURI !== SVG_NS || localNameOf(root) !== 'svg') return null;
    if (parsed.getElementsByTagName('parsererror').length) return null;
    scrub(root);
    return doc.importNode(root, true);
  }

  // ---------------------------------------------------------------------------------------------------------
  // The widget
  // ---------------------------------------------------------------------------------------------------------

  var DEFAULT_TEXTS = {
    up: '\u2191 Up',
    upTitle: 'Parent screen',
    screens: 'Screens',
    confirmTitle: 'Manual change',
    confirm: '{tag} {description} \u2014 change {from} to {to}?',
    change: 'Change to {to}',
    cancel: 'Cancel',
    close: 'Close',
    readOnly: 'Read-only: changes are disabled.',
    waiting: 'Waiting for the screen\u2026',
    badSvg: 'This screen could not be displayed.'
  };

  /** The sheet of the confirmation dialog, inside its shadow root (nothing else reaches it). */
  var DIALOG_CSS = [
    'dialog{all:initial;display:block;position:fixed;inset:0;margin:auto;box-sizing:border-box;width:max-content;min-width:240px;max-width:90vw;height:max-content;max-height:90vh;overflow:auto;background:#fff;color:#222;padding:14px 16px;border-radius:4px;box-shadow:0 4px 18px rgba(0,0,0,.45);font:14px/1.4 sans-serif}',
    'dialog::backdrop{background:rgba(0,0,0,.45)}',
    'div,p{all:initial;display:block;font:inherit;color:inherit;white-space:pre-wrap}',
    '.mara-dialog-title{font-weight:bold;margin:0 0 8px}',
    '.mara-dialog-text{margin:0 0 4px}',
    '.mara-buttons{display:flex;justify-content:flex-end;gap:8px;margin-top:12px;white-space:normal}',
    'button{all:initial;display:inline-block;font:inherit;padding:4px 12px;border-radius:3px;border:1px solid #999;background:#f4f4f4;color:#222;cursor:pointer}',
    'button.mara-primary{background:#2b6cb0;border-color:#2b6cb0;color:#fff}',
    'button:focus-visible{outline:2px solid #2b6cb0;outline-offset:2px}'
  ].join('\n');

  function css(cls) {
    var q = '.mara-screen .' + cls;
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
      '.mara-screen .mara-dialog button.mara-primary{background:#2b6cb0;border-color:#2b6cb0;color:#fff}'
    ].join('\n');
  }

  /**
   * @param container the widget's element
   * @param o {send(msg), doc, win?, raf?, parse?(text) → svg element}
   */
  function createMaraScreen(container, o) {
    var doc = o.doc || container.ownerDocument;
    var send = o.send || function () {};
    var parse = o.parse || function (text) { return parseSvg(doc, text); };
    var store = null;
    var screens = Object.create(null);
    var cache = Object.create(null);
    var view = null;
    var dialog = null;
    var disposed = false;

    function el(name, cls, text) {
      var e = doc.createElement(name);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function t(key) {
      return store && store.config && store.config.texts && typeof store.config.texts[key] === 'string' ? store.config.texts[key] : DEFAULT_TEXTS[key];
    }

    container.classList.add('mara-screen');
    while (container.firstChild) container.removeChild(container.firstChild);
    var style = el('style');
    container.appendChild(style);
    var bar = el('div', 'mara-bar');
    var upBtn = el('button', 'mara-up');
    upBtn.type = 'button';
    var menu = el('select', 'mara-menu');
    bar.appendChild(upBtn);
    bar.appendChild(menu);
    container.appendChild(bar);
    var holder = el('div', 'mara-view');
    // paint containment: nothing drawn inside (even position:fixed, filters, huge strokes) shows outside the view
    holder.style.setProperty('contain', 'paint', 'important');
    holder.style.setProperty('isolation', 'isolate', 'important');
    holder.style.setProperty('overflow', 'hidden', 'important');
    container.appendChild(holder);
    var message = el('div', 'mara-message', DEFAULT_TEXTS.waiting);
    holder.appendChild(message);
    var styledFor = null;

    function restyle() {
      var cls = (store && store.config && safeClassName(store.config.qualityClass)) || 'mara-bad-quality';
      if (cls !== styledFor) {
        style.textContent = css(cls);
        styledFor = cls;
      }
    }
    restyle();

    var nav = createNavigator({
      win: o.win || null,
      exists: function (n) { return !!screens[n]; },
      parentOf: function (n) {
        var p = screens[n] ? screens[n].parent : null;
        return p && p !== n && screens[p] ? p : null;
      },
      show: render
    });

    function readOnly() {
      return !!(store && store.config && store.config.readOnly);
    }

    // ---- rendering
    function screenView(name) {
      var s = screens[name];
      var c = cache[name];
      if (c && c.svgText === s.svg) return c;
      if (c) c.binder.dispose();
      var svg = parse(s.svg);
      if (!svg) {
        cache[name] = { svgText: s.svg, svg: null, binder: null };
        return cache[name];
      }
      // docs/screens.md §5.7: viewBox from the root's size, aspect kept; the container takes the page colour
      if (!svg.getAttribute('viewBox') && s.width > 0 && s.height > 0) svg.setAttribute('viewBox', '0 0 ' + s.width + ' ' + s.height);
      svg.setAttribute('preserveAspectRatio', 'xMaxYMid meet');
      svg.setAttribute('width', '100%');
      svg.setAttribute('height', '100%');
      // the drawing stays in its box whatever its own style says (issue 10 item 7)
      ROOT_STYLE.forEach(function (d) { svg.style.setProperty(d[0], d[1], 'important'); });
      var binder = createBinder(svg, { raf: o.raf, qualityClass: store.config && store.config.qualityClass, keepLabel: keepLabel });
      svg.addEventListener('click', function (ev) { onClick(name, binder, ev); });
      c = cache[name] = { svgText: s.svg, svg: svg, binder: binder };
      markClickable(c);
      return c;
    }

    /** `value` is the tag's static workbook text (record `s`) and the project does not replace drawing labels. */
    function keepLabel(key, value) {
      var r = store.records && store.records[key];
      return !!(r && typeof r.s === 'string') && r.s === String(value) && !(store.config && store.config.replaceLabels);
    }

    function markClickable(c) {
      var recs = store.records || {};
      c.binder.keys().forEach(function (k) {
        var r = recs[k];
        if (r || !store.hasRecords) c.binder.node(k).classList.add('mara-clickable');
      });
      // a hot-spot to a screen that does not exist gets no pointer: clicking it does nothing (issue 12 item 8)
      walk(c.svg, function (n) {
        var to = n.getAttribute('jump-to');
        if (!to) return;
        if (Object.prototype.hasOwnProperty.call(screens, to)) n.classList.add('mara-clickable');
        else n.classList.remove('mara-clickable');
      });
    }

    function render(name) {
      closeDialog();
      var s = screens[name];
      var c = screenView(name);
      while (holder.firstChild) holder.removeChild(holder.firstChild);
      holder.style.background = s.background && COLOUR_RE.test(String(s.background).toLowerCase()) ? s.background : '';
      if (!c.svg) {
        message.textContent = t('badSvg');
        holder.appendChild(message);
      } else {
        holder.appendChild(c.svg);
        view = c;
        c.binder.applyAll(store.state, store.quality);
      }
      send({ type: 'view', screen: name }); // the server accepts clicks only from the screen a client shows
      if (!c.svg) view = null;
      if (o.onView) o.onView(c.svg, bar);
      upBtn.disabled = !(s.parent && screens[s.parent] && s.parent !== name);
      menu.value = name;
    }

    function buildMenu() {
      while (menu.firstChild) menu.removeChild(menu.firstChild);
      var list = screenOrder(Object.keys(screens).map(function (n) { return screens[n]; }));
      list.forEach(function (s) {
        var opt = el('option', '', new Array(s.depth + 1).join('\u00a0\u00a0') + s.name + (s.description ? ' \u2014 ' + s.description : ''));
        opt.value = s.name;
        menu.appendChild(opt);
      });
      menu.title = t('screens');
      upBtn.textContent = t('up');
      upBtn.title = t('upTitle');
      bar.style.display = list.length > 1 ? '' : 'none';
      return list;
    }

    upBtn.addEventListener('click', function () { nav.up(); });
    menu.addEventListener('change', function () { nav.go(menu.value); });

    // ---- clicks (docs/screens.md §6.5)
    function onClick(screenName, binder, ev) {
      if (disposed || !store) return;
      var root = ev.currentTarget;
      ev.preventDefault(); // local <a href="#id"> links must not rewrite the page's hash
      var found = findClickTarget(ev.target, root, function (k) {
        if (!k || k === 'nopaint') return false;
        // binding by id: every node has one, so only ids the data knows about are clickable
        return binder.bindBy === 'tag' || !!(store.records && store.records[k]) || !!(store.state && store.state[k]);
      }, binder.bindBy);
      if (!found) return;
      var key = found.key;
      var jumpTo = found.jumpTo;
      ev.stopPropagation();
      var rec = key && store.records ? store.records[key] : null;
      var d = decideClick({
        key: key,
        record: rec || null,
        jumpTo: jumpTo,
        readOnly: readOnly(),
        hasRecords: !!store.hasRecords,
        screenExists: function (x) { return !!screens[x]; }
      });
      send({ type: 'click', tag: key, screen: screenName, jump: d.action === 'jump' ? d.target : null });
      if (d.action === 'toggle') confirmToggle(key, rec, d.options, screenName);
      else if (d.action === 'jump') nav.go(d.target);
      else if (d.action === 'info') info(key, rec, d.readOnly);
    }

    /**
     * A toggle is confirmed with the server (issue 10 item 8): the click asks, the server answers this client
     * alone with what it will change and a one-time token (`confirmation`), the dialog shows the server's
     * words, and only "Change" sends the token back. Cancel, Escape or another screen send nothing.
     */
    function confirmToggle(key, rec, options, screenName) {
      send({ type: 'toggle-request', tag: key, screen: screenName });
    }

    function confirmation(c) {
      if (disposed || !store || !c || typeof c !== 'object') return;
      if (typeof c.token !== 'string' || typeof c.tag !== 'string' || c.screen !== nav.current()) return;
      var str = function (v) { return typeof v === 'string' ? v.slice(0, 200) : ''; };
      var vars = { tag: c.tag, description: str(c.description), from: str(c.fromLabel), to: str(c.toLabel) };
      var token = c.token;
      openDialog(t('confirmTitle'), [formatText(t('confirm'), vars).replace(/\s+/g, ' ').trim()], [
        { label: t('cancel') },
        {
          label: formatText(t('change'), vars),
          primary: true,
          run: function () { send({ type: 'toggle', token: token }); }
        }
      ]);
    }

    function info(key, rec, ro) {
      var lines = [key + (rec && rec.d ? ' \u2014 ' + rec.d : '')];
      if (ro) lines.push(t('readOnly'));
      openDialog(key, lines, [{ label: t('close'), primary: true }]);
    }

    /**
     * A dialog no page CSS can reach (issue 10 item 7): a native <dialog> shown modal (the browser's top layer:
     * nothing on the page can cover it, no ancestor's opacity, filter or clip applies) inside a shadow root
     * (page selectors cannot match it; its own sheet styles it, `all: initial` cuts inherited properties), hung
     * on a host in <body> whose few properties that could still hide it are set inline with !important. Texts
     * go in with textContent only. Without shadow DOM or <dialog> (old browsers, the test DOM) it falls back to
     * an overlay in the widget.
     */
    function openDialog(heading, lines, buttons) {
      closeDialog();
      var body = doc.body;
      var host = body ? doc.createElement('div') : null;
      var canTopLayer = !!(host && typeof host.attachShadow === 'function' && typeof doc.createElement('dialog').showModal === 'function');
      var first = null;
      var makeButtons = function (row, cls) {
        buttons.forEach(function (b) {
          var btn = el('button', b.primary ? cls : '', b.label);
          btn.type = 'button';
          btn.addEventListener('click', function (ev) {
            ev.stopPropagation();
            closeDialog();
            if (b.run) b.run();
          });
          row.appendChild(btn);
          if (!first) first = btn;
        });
      };
      if (canTopLayer) {
        host.className = 'mara-dialog-host';
        ['display:block', 'visibility:visible', 'opacity:1', 'content-visibility:visible', 'position:static', 'contain:none'].forEach(function (d) {
          var i = d.indexOf(':');
          host.style.setProperty(d.slice(0, i), d.slice(i + 1), 'important');
        });
        var shadow = host.attachShadow({ mode: 'open' });
        var sheet = el('style');
        sheet.textContent = DIALOG_CSS;
        shadow.appendChild(sheet);
        var dlg = doc.createElement('dialog');
        dlg.className = 'mara-dialog';
        dlg.setAttribute('aria-label', heading);
        dlg.appendChild(el('div', 'mara-dialog-title', heading));
        lines.forEach(function (l) { dlg.appendChild(el('p', 'mara-dialog-text', l)); });
        var row = el('div', 'mara-buttons');
        makeButtons(row, 'mara-primary');
        dlg.appendChild(row);
        dlg.addEventListener('close', function () { if (dialog && dialog.host === host) closeDialog(); });
        dlg.addEventListener('click', function (ev) { ev.stopPropagation(); });
        shadow.appendChild(dlg);
        body.appendChild(host);
        dialog = { host: host, dlg: dlg };
        try {
          dlg.showModal();
        } catch (e) {
          dlg.setAttribute('open', '');
        }
      } else {
        var back = el('div', 'mara-backdrop');
        var box = el('div', 'mara-dialog');
        box.setAttribute('role', 'dialog');
        box.setAttribute('aria-modal', 'true');
        box.appendChild(el('div', 'mara-dialog-title', heading));
        lines.forEach(function (l) { box.appendChild(el('p', 'mara-dialog-text', l)); });
        var row2 = el('div', 'mara-buttons');
        makeButtons(row2, 'mara-primary');
        box.appendChild(row2);
        back.appendChild(box);
        back.addEventListener('click', function (ev) {
          if (ev.target === back) closeDialog();
        });
        back.addEventListener('keydown', function (ev) {
          if (ev.key === 'Escape') closeDialog();
        });
        container.appendChild(back);
        dialog = { host: back, dlg: null };
      }
      if (first && typeof first.focus === 'function') first.focus(); // the first button is the safe one
    }

    function closeDialog() {
      var d = dialog;
      dialog = null;
      if (!d) return;
      if (d.dlg && d.dlg.open && typeof d.dlg.close === 'function') {
        try {
          d.dlg.close();
        } catch (e) {
          /* already closed */
        }
      }
      if (d.host.parentNode) d.host.parentNode.removeChild(d.host);
    }

    // ---- data
    function snapshot(snap) {
      if (disposed || !snap || snap.kind !== 'mara-screen' || snap === store) return;
      store = snap;
      if (!store.state) store.state = {};
      if (!store.quality) store.quality = {};
      if (!store.records) store.records = {};
      restyle();
      var next = Object.create(null);
      (store.screens || []).forEach(function (s) {
        if (s && typeof s.name === 'string' && typeof s.svg === 'string') next[s.name] = s;
      });
      screens = next; // before markClickable: a jump is clickable only to a screen of this snapshot
      Object.keys(cache).forEach(function (n) {
        if (!next[n] || next[n].svg !== cache[n].svgText) {
          if (cache[n].binder) cache[n].binder.dispose();
          delete cache[n];
        } else if (cache[n].svg) markClickable(cache[n]);
      });
      var list = buildMenu();
      nav.invalidate();
      if (!list.length) {
        while (holder.firstChild) holder.removeChild(holder.firstChild);
        message.textContent = t('waiting');
        holder.appendChild(message);
        view = null;
        return;
      }
      var fallback = store.screen && screens[store.screen] ? store.screen : store.config && screens[store.config.start] ? store.config.start : list[0].name;
      nav.start(fallback);
    }

    function delta(d) {
      if (disposed || !store || !d) return; // before the first snapshot: the snapshot that follows is current
      var touched = mergeDelta(store, d);
      if (view && view.binder) {
        var b = view.binder;
        touched.forEach(function (tag) {
          var ch = d.state[tag];
          Object.keys(ch).forEach(function (attr) { b.set(tag, attr, ch[attr]); });
        });
        var q = d.quality || {};
        Object.keys(q).forEach(function (tag) { b.setQuality(tag, isBadQuality(q[tag])); });
      }
      if (d.screen && typeof d.screen.name === 'string' && screens[d.screen.name]) nav.go(d.screen.name);
    }

    return {
      snapshot: snapshot,
      delta: delta,
      confirmation: confirmation,
      current: function () { return nav.current(); },
      go: function (n) { return nav.go(n); },
      up: function () { return nav.up(); },
      binder: function () { return view ? view.binder : null; },
      dispose: function () {
        disposed = true;
        closeDialog();
        nav.dispose();
        Object.keys(cache).forEach(function (n) { if (cache[n].binder) cache[n].binder.dispose(); });
      }
    };
  }

  /**
   * The screen fits its group (issue 12 item 10): Dashboard 1 gives a widget a fixed size in grid units, which
   * cut a wide diagram on a small display and left a large one small. The widget's card takes the width the
   * page has for the group (never more than the page), and the height that keeps the drawing's aspect; the
   * group around it grows or shrinks by as much. The drawing scales inside (viewBox, meet).
   */
  function fitToWidth(host, svg, bar) {
    var card = host.closest ? host.closest('md-card') || host.parentElement : host.parentElement;
    var panel = host.closest ? host.closest('.nr-dashboard-cardpanel') : null;
    if (!card || !svg || !svg.viewBox || !svg.viewBox.baseVal) return;
    var vb = svg.viewBox.baseVal;
    if (!(vb.width > 0 && vb.height > 0)) return;
    // the tab's content area (Dashboard 1 lays the groups out in it), else the page
    var area = (host.closest && host.closest('.masonry-container')) || document.documentElement;
    var gap = 6;
    var chrome = panel ? Math.max(0, panel.offsetWidth - card.offsetWidth) : 0;
    var width = Math.max(240, Math.floor(Math.min(area.clientWidth, document.documentElement.clientWidth) - 4 * gap - 2 * chrome));
    var barH = bar ? bar.offsetHeight : 0;
    var extra = card.offsetHeight - host.clientHeight; // the card's own padding
    var height = Math.ceil((width * vb.height) / vb.width + barH + Math.max(0, extra) + 2);
    var dW = width - card.offsetWidth;
    var dH = height - card.offsetHeight;
    if (Math.abs(dW) < 1 && Math.abs(dH) < 1) return;
    // every box from the card up to the group that the dashboard sized: by the same difference
    for (var n = card; n && n !== area; n = n.parentElement) {
      if (n.style.width) n.style.width = n.offsetWidth + dW + 'px';
      if (n.style.height) n.style.height = n.offsetHeight + dH + 'px';
      if (n === panel) break;
    }
    if (!card.style.width) card.style.width = width + 'px';
    if (!card.style.height) card.style.height = height + 'px';
    return true;
  }

  /**
   * Dashboard 1 glue: `initController(scope, events)` calls this with the node's id.
   *
   * The dashboard keeps the last update with a `msg` (our snapshot) for each widget; deltas come as separate
   * updates (`{id, delta}`) that never replace it. One listener per widget id lives for the page's lifetime
   * (kept on the dashboard's `events` service, not on window) and merges every delta into that snapshot, so a
   * widget re-created by a dashboard tab switch starts from the current state even for changes that arrived
   * while it was not shown.
   */
  function attach(scope, events, cfg) {
    var id = cfg && typeof cfg.id === 'string' ? cfg.id : '';
    var stores = events.__maraScreens || (events.__maraScreens = {});
    var store = stores[id];
    if (!store) {
      store = stores[id] = { snap: null, views: [] };
      events.on(function (e) {
        if (!e || e.id !== id) return;
        if (e.msg && e.msg.kind === 'mara-screen') store.snap = e.msg;
        else if (e.delta && store.snap) mergeDelta(store.snap, e.delta);
        for (var i = 0; i < store.views.length; i++) store.views[i](e);
      });
    }
    var app = null;
    var tries = 0;
    var destroyed = false;
    function onUpdate(e) {
      if (!app) return;
      if (e.msg && e.msg.kind === 'mara-screen') app.snapshot(e.msg);
      else if (e.delta) app.delta(e.delta);
      else if (e.confirm) app.confirmation(e.confirm);
    }
    function start() {
      if (destroyed) return;
      var host = document.getElementById('mara-screen-' + id);
      if (!host) {
        if (++tries < 100) setTimeout(start, 20);
        return;
      }
      var shown = null;
      var bar = null;
      var fitQueued = false;
      // at most a few fit → dashboard layout rounds per view or page resize, should the dashboard insist on its size
      var rounds = 0;
      var ownResize = false;
      var refit = function () {
        if (fitQueued) return;
        fitQueued = true;
        (window.requestAnimationFrame || setTimeout)(function () {
          fitQueued = false;
          // the dashboard then lays its groups out again (its own resize handler); the next fit finds nothing to do
          if (destroyed || !shown || rounds >= 4) return;
          if (fitToWidth(host, shown, bar)) {
            rounds++;
            ownResize = true;
            window.dispatchEvent(new Event('resize'));
            ownResize = false;
          }
        });
      };
      // the dashboard sizes the card when it places it (after this widget starts): fit again then
      var card = host.closest ? host.closest('md-card') : null;
      var watch = card && typeof MutationObserver === 'function' ? new MutationObserver(refit) : null;
      if (watch) watch.observe(card, { attributes: true, attributeFilter: ['style'] });
      scope.$on('$destroy', function () { if (watch) watch.disconnect(); });
      app = createMaraScreen(host, {
        doc: document,
        win: window,
        send: function (m) { scope.send(m); },
        onView: function (svg, b) {
          shown = svg;
          bar = b;
          rounds = 0;
          refit();
        }
      });
      var onResize = function () {
        if (!ownResize) rounds = 0;
        refit();
      };
      window.addEventListener('resize', onResize);
      scope.$on('$destroy', function () { window.removeEventListener('resize', onResize); });
      var snap = store.snap || (scope.msg && scope.msg.kind === 'mara-screen' ? scope.msg : null);
      if (snap) {
        store.snap = snap;
        app.snapshot(snap);
      }
    }
    store.views.push(onUpdate);
    // the replayed snapshot may reach the dashboard before the first widget's listener exists: it is then
    // only in the widget's msg (the dashboard keeps the newest update with a msg there)
    scope.$watch('msg', function (m) {
      if (!app || !m || m.kind !== 'mara-screen' || m === store.snap) return;
      store.snap = m;
      app.snapshot(m);
    });
    scope.$on('$destroy', function () {
      destroyed = true;
      var i = store.views.indexOf(onUpdate);
      if (i >= 0) store.views.splice(i, 1);
      if (app) app.dispose();
    });
    start();
  }

  return {
    SAFE_ATTRIBUTE_NAMES: SAFE_ATTRIBUTE_NAMES,
    isSafeAttributeName: isSafeAttributeName,
    safeCssValue: safeCssValue,
    safeClassName: safeClassName,
    displayText: displayText,
    toggleNext: toggleNext,
    toggleLabel: toggleLabel,
    formatText: formatText,
    parseHashScreen: parseHashScreen,
    buildHash: buildHash,
    screenOrder: screenOrder,
    decideClick: decideClick,
    findClickTarget: findClickTarget,
    mergeDelta: mergeDelta,
    detectBindBy: detectBindBy,
    createBinder: createBinder,
    createNavigator: createNavigator,
    scrub: scrub,
    parseSvg: parseSvg,
    createMaraScreen: createMaraScreen,
    attach: attach
  };
})();
