/**
 * ITU-T T.30 facts the engine reports with: completion codes (spandsp's `T30_ERR_*`, in its enum
 * order), control-frame names, and the phase a session is in.
 */

/**
 * T.30 phases as the engine reports them in `FaxResult.failurePhase`:
 * - `A` call set-up (CNG/CED, waiting for the far end's first frame),
 * - `B` pre-message procedure (DIS/DCS, training, CFR),
 * - `C` page transfer (image data at 2 400 – 14 400 bit/s),
 * - `D` post-page procedure (MPS/EOP/EOM, MCF/RTN, ECM PPS/PPR),
 * - `E` release (DCN).
 */
export type T30Phase = 'A' | 'B' | 'C' | 'D' | 'E';

/** spandsp 0.0.6 completion codes, index = numeric code (`T30_ERR_OK` = 0). */
export const T30_COMPLETION_CODES: readonly string[] = [
  'T30_ERR_OK',
  'T30_ERR_CEDTONE',
  'T30_ERR_T0_EXPIRED',
  'T30_ERR_T1_EXPIRED',
  'T30_ERR_T3_EXPIRED',
  'T30_ERR_HDLC_CARRIER',
  'T30_ERR_CANNOT_TRAIN',
  'T30_ERR_OPER_INT_FAIL',
  'T30_ERR_INCOMPATIBLE',
  'T30_ERR_RX_INCAPABLE',
  'T30_ERR_TX_INCAPABLE',
  'T30_ERR_NORESSUPPORT',
  'T30_ERR_NOSIZESUPPORT',
  'T30_ERR_UNEXPECTED',
  'T30_ERR_TX_BADDCS',
  'T30_ERR_TX_BADPG',
  'T30_ERR_TX_ECMPHD',
  'T30_ERR_TX_GOTDCN',
  'T30_ERR_TX_INVALRSP',
  'T30_ERR_TX_NODIS',
  'T30_ERR_TX_PHBDEAD',
  'T30_ERR_TX_PHDDEAD',
  'T30_ERR_TX_T5EXP',
  'T30_ERR_RX_ECMPHD',
  'T30_ERR_RX_GOTDCS',
  'T30_ERR_RX_INVALCMD',
  'T30_ERR_RX_NOCARRIER',
  'T30_ERR_RX_NOEOL',
  'T30_ERR_RX_NOFAX',
  'T30_ERR_RX_T2EXPDCN',
  'T30_ERR_RX_T2EXPD',
  'T30_ERR_RX_T2EXPFAX',
  'T30_ERR_RX_T2EXPMPS',
  'T30_ERR_RX_T2EXPRR',
  'T30_ERR_RX_T2EXP',
  'T30_ERR_RX_DCNWHY',
  'T30_ERR_RX_DCNDATA',
  'T30_ERR_RX_DCNFAX',
  'T30_ERR_RX_DCNPHD',
  'T30_ERR_RX_DCNRRD',
  'T30_ERR_RX_DCNNORTN',
  'T30_ERR_FILEERROR',
  'T30_ERR_NOPAGE',
  'T30_ERR_BADTIFF',
  'T30_ERR_BADPAGE',
  'T30_ERR_BADTAG',
  'T30_ERR_BADTIFFHDR',
  'T30_ERR_NOMEM',
  'T30_ERR_RETRYDCN',
  'T30_ERR_CALLDROPPED',
  'T30_ERR_NOPOLL',
  'T30_ERR_IDENT_UNACCEPTABLE',
  'T30_ERR_SUB_UNACCEPTABLE',
  'T30_ERR_SEP_UNACCEPTABLE',
  'T30_ERR_PSA_UNACCEPTABLE',
  'T30_ERR_SID_UNACCEPTABLE',
  'T30_ERR_PWD_UNACCEPTABLE',
  'T30_ERR_TSA_UNACCEPTABLE',
  'T30_ERR_IRA_UNACCEPTABLE',
  'T30_ERR_CIA_UNACCEPTABLE',
  'T30_ERR_ISP_UNACCEPTABLE',
  'T30_ERR_CSA_UNACCEPTABLE',
];

/** The name of a completion code (`T30_ERR_…`), or `T30_ERR_<n>` for one this table lacks. */
export function completionName(code: number): string {
  return T30_COMPLETION_CODES[code] ?? `T30_ERR_${code}`;
}

/** T.30 control frames (FCF with the X bit cleared), as spandsp's `t30_fcf.h` numbers them. */
export const T30_FRAMES = {
  DIS: 0x80,
  CSI: 0x40,
  NSF: 0x20,
  DTC: 0x81,
  DCS: 0x82,
  TSI: 0x42,
  CFR: 0x84,
  FTT: 0x44,
  EOM: 0x8e,
  MPS: 0x4e,
  EOP: 0x2e,
  PRI_EOM: 0x9e,
  PRI_MPS: 0x5e,
  PRI_EOP: 0x3e,
  PPS: 0xbe,
  EOR: 0xce,
  RR: 0x6e,
  MCF: 0x8c,
  RTP: 0xcc,
  RTN: 0x4c,
  PIP: 0xac,
  PIN: 0x2c,
  PPR: 0xbc,
  RNR: 0xec,
  ERR: 0x1c,
  DCN: 0xfa,
  CRP: 0x1a,
} as const;

/** Name of a control frame, e.g. `DCS` (or `0x..`). */
export function frameName(fcf: number): string {
  for (const [name, value] of Object.entries(T30_FRAMES)) if (value === (fcf & 0xfe) || value === fcf) return name;
  return `0x${fcf.toString(16).padStart(2, '0')}`;
}

const POST_PAGE = new Set<number>([
  T30_FRAMES.MPS,
  T30_FRAMES.EOP,
  T30_FRAMES.EOM,
  T30_FRAMES.PRI_MPS,
  T30_FRAMES.PRI_EOP,
  T30_FRAMES.PRI_EOM,
  T30_FRAMES.PPS,
  T30_FRAMES.EOR,
]);
const PRE_MESSAGE = new Set<number>([
  T30_FRAMES.DIS,
  T30_FRAMES.DTC,
  T30_FRAMES.DCS,
  T30_FRAMES.CSI,
  T30_FRAMES.TSI,
  T30_FRAMES.NSF,
  T30_FRAMES.FTT,
]);

/**
 * Follows the T.30 phase from the control frames seen in either direction. The engine does not
 * read spandsp's private state; the frames on the line say where the call is.
 */
export class T30PhaseTracker {
  private current: T30Phase = 'A';
  /** The last post-page command, to know what an MCF confirms. */
  private lastPostPage = 0;

  private beforeRelease: T30Phase = 'A';

  get phase(): T30Phase {
    return this.current;
  }

  /** The phase to blame for a failure: the one before release (DCN) when the call got that far. */
  get failurePhase(): T30Phase {
    return this.current === 'E' ? this.beforeRelease : this.current;
  }

  /** Feeds one control frame (FCF, with an ECM PPS's FCF2 in bits 8..15); returns the new phase. */
  frame(code: number): T30Phase {
    const f = code & 0xfe;
    const fcf2 = (code >> 8) & 0xfe;
    if (f === T30_FRAMES.DCN) {
      if (this.current !== 'E') this.beforeRelease = this.current;
      this.current = 'E';
    } else if (f === T30_FRAMES.CFR) this.current = 'C';
    else if (PRE_MESSAGE.has(f)) this.current = 'B';
    else if (POST_PAGE.has(f)) {
      this.current = 'D';
      // PPS-NULL: more blocks of the same page follow; PPS-MPS/EOP/EOM end the page like MPS/EOP/EOM.
      this.lastPostPage = f === T30_FRAMES.PPS && fcf2 !== 0 ? fcf2 : f;
    } else if (f === T30_FRAMES.MCF || f === T30_FRAMES.RTP || f === T30_FRAMES.RTN || f === T30_FRAMES.PPR) {
      // After MPS/PPS (or a partial-page request) more image data follows; after EOM and RTN,
      // the parties negotiate again; after EOP, release follows.
      if (
        f === T30_FRAMES.PPR ||
        (f === T30_FRAMES.MCF && (this.lastPostPage === T30_FRAMES.MPS || this.lastPostPage === T30_FRAMES.PPS))
      )
        this.current = 'C';
      else if (f === T30_FRAMES.RTN || this.lastPostPage === T30_FRAMES.EOM) this.current = 'B';
      else this.current = 'D';
    }
    return this.current;
  }
}

/** Resolution text of a page, from spandsp's pixels-per-metre figures (e.g. `R8 × fine`, `204 × 196 dpi`). */
export function resolutionText(xPerMetre: number, yPerMetre: number): string | undefined {
  if (xPerMetre <= 0 || yPerMetre <= 0) return undefined;
  const x = Math.round((xPerMetre * 0.0254) / 1) || 0;
  const y = Math.round(yPerMetre * 0.0254);
  const yName =
    Math.abs(y - 98) <= 3
      ? 'standard'
      : Math.abs(y - 196) <= 5
        ? 'fine'
        : Math.abs(y - 391) <= 10
          ? 'superfine'
          : `${y} lpi`;
  return `${x} × ${y} dpi (${yName})`;
}

/** T.4 line encodings as spandsp's statistics number them. */
export function encodingName(encoding: number): string | undefined {
  return ({ 1: 'T.4 1-D (MH)', 2: 'T.4 2-D (MR)', 3: 'T.6 (MMR)' } as Record<number, string>)[encoding];
}
