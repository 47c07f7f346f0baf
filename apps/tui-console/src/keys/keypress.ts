/**
 * Turns what the terminal sends for one key into a named key. Ink's own `useInput` folds every
 * function key into an empty string, and a call-centre console lives on F-keys, so the console
 * reads Ink's input events itself and names keys here (xterm, rxvt, Linux console and tmux forms).
 */

/** One key press. */
export interface KeyPress {
  /** `f1`…`f12`, `up`, `down`, `left`, `right`, `home`, `end`, `pageup`, `pagedown`, `return`,
   *  `escape`, `tab`, `backspace`, `delete`, a letter for Ctrl/Alt combinations, or `text`. */
  readonly name: string;
  readonly ctrl: boolean;
  readonly meta: boolean;
  readonly shift: boolean;
  /** Printable text typed (possibly several characters when pasted); empty for other keys. */
  readonly text: string;
}

const ESC = '\u001B';

const TILDE: Readonly<Record<string, string>> = {
  '1': 'home',
  '2': 'insert',
  '3': 'delete',
  '4': 'end',
  '5': 'pageup',
  '6': 'pagedown',
  '7': 'home',
  '8': 'end',
  '11': 'f1',
  '12': 'f2',
  '13': 'f3',
  '14': 'f4',
  '15': 'f5',
  '17': 'f6',
  '18': 'f7',
  '19': 'f8',
  '20': 'f9',
  '21': 'f10',
  '23': 'f11',
  '24': 'f12',
};

const FINAL: Readonly<Record<string, string>> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  P: 'f1',
  Q: 'f2',
  R: 'f3',
  S: 'f4',
};

const LINUX_F: Readonly<Record<string, string>> = { A: 'f1', B: 'f2', C: 'f3', D: 'f4', E: 'f5' };

function key(name: string, mods: Partial<Omit<KeyPress, 'name'>> = {}): KeyPress {
  return {
    name,
    ctrl: mods.ctrl ?? false,
    meta: mods.meta ?? false,
    shift: mods.shift ?? false,
    text: mods.text ?? '',
  };
}

/** xterm modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4). */
function mods(param: string | undefined): Partial<KeyPress> {
  const n = param ? Number(param) - 1 : 0;
  return { shift: (n & 1) !== 0, meta: (n & 2) !== 0, ctrl: (n & 4) !== 0 };
}

/** Names one input event. */
export function parseKey(data: string): KeyPress {
  if (data === '\r' || data === '\n' || data === '\r\n') return key('return');
  if (data === '\t') return key('tab');
  if (data === '\u007F' || data === '\b') return key('backspace');
  if (data === ESC || data === ESC + ESC) return key('escape');
  if (data === `${ESC}[Z`) return key('tab', { shift: true });
  if (data.startsWith(`${ESC}[[`) && data.length === 4) return key(LINUX_F[data[3] as string] ?? 'unknown');
  // eslint-disable-next-line no-control-regex -- terminal escape sequences start with ESC
  let m = /^\u001B\[(\d+)(?:;(\d+))?~$/.exec(data);
  if (m) return key(TILDE[m[1] as string] ?? 'unknown', mods(m[2]));
  // eslint-disable-next-line no-control-regex -- terminal escape sequences start with ESC
  m = /^\u001B(?:\[|O)(?:1;)?(\d+)?([A-DFHPQRS])$/.exec(data);
  if (m) return key(FINAL[m[2] as string] ?? 'unknown', mods(m[1]));
  if (data.length === 1) {
    const code = data.charCodeAt(0);
    if (code >= 1 && code <= 26) return key(String.fromCharCode(code + 96), { ctrl: true });
    if (code < 32) return key('unknown');
  }
  if (data.startsWith(ESC) && data.length === 2) {
    const ch = data[1] as string;
    return key(ch.toLowerCase(), { meta: true, shift: ch !== ch.toLowerCase() });
  }
  if (data.startsWith(ESC)) return key('unknown');
  // Printable text (one key, or a paste / IME commit of several characters). Drop control bytes.
  // eslint-disable-next-line no-control-regex
  const text = data.replace(/[\u0000-\u001F\u007F]/g, '');
  if (text.length === 0) return key('unknown');
  return key(Array.from(text).length === 1 ? text : 'text', { text, shift: /^[A-Z]$/.test(text) });
}

/** The id a command table uses for a key: `f1`, `ctrl+s`, `meta+1`, `?`, `a`, `return`. */
export function keyId(k: KeyPress): string {
  if (k.ctrl) return `ctrl+${k.name}`;
  if (k.meta) return `meta+${k.name}`;
  if (k.name === 'tab' && k.shift) return 'shift+tab';
  return k.name;
}

/** True when the key types text (letters, digits, punctuation, CJK). */
export function isTyping(k: KeyPress): boolean {
  return k.text.length > 0 && !k.ctrl && !k.meta;
}

/**
 * Splits one input chunk into key events: an escape sequence stays whole, control characters
 * (Enter, Tab, Backspace, Ctrl+letter) stand alone, and runs of printable text stay together.
 * Terminals and tmux deliver `abc\r` in one read when typed fast or pasted.
 */
export function splitKeys(data: string): string[] {
  if (data.startsWith(ESC)) return [data];
  const out: string[] = [];
  let text = '';
  for (const ch of data) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 32 || code === 0x7f) {
      if (text) out.push(text);
      text = '';
      // \r\n counts as one Enter.
      if (ch === '\n' && out[out.length - 1] === '\r') continue;
      out.push(ch);
    } else text += ch;
  }
  if (text) out.push(text);
  return out;
}
