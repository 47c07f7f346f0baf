/**
 * Synway SHP_A3 numeric codes (research/vendor-apis.md §1, header SYN-H3) and how each maps to
 * the cti-core SPI. Every table here is data; the driver only looks things up.
 * @module
 */
import type { AudioEncoding, ChannelKind, DialOutcome, DialStage, HangupCause, SignalingType } from '@hotline/cti-core';

/** `SsmGetLastErrCode` values (`C_ERROR_*`). */
export const ERROR_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [-2]: 'NOT_EXPORTED', // Hotline's own: the loaded library does not export the function
  0: 'C_ERROR_INIT_FAILURE',
  1: 'C_ERROR_SSMAPI_UNOPENED',
  2: 'C_ERROR_INVALID_APPCH',
  3: 'C_ERROR_UNSUPPORTED_OP',
  4: 'C_ERROR_INDEX_UNOPENED',
  5: 'C_ERROR_INVALID_BUSCH',
  6: 'C_ERROR_OP_UNOPENED',
  7: 'C_ERROR_INVALID_FORMAT',
  8: 'C_ERROR_INVALID_PARAMETER',
  9: 'C_ERROR_FILEOP_FAILURE',
  10: 'C_ERROR_MEMORY_FAILURE',
  11: 'C_ERROR_RESOURCE_USEUP',
  12: 'C_ERROR_SYSTEM',
  13: 'C_ERROR_IdleChNotFound',
  14: 'C_ERROR_OP_FAILURE',
  15: 'C_ERROR_INVALID_APPSPYCIC',
  16: 'C_ERROR_FAX_NOFILE',
  17: 'C_ERROR_VCH_INVALID_SCALE',
  18: 'C_ERROR_DTMF_NOT_SUPPORT',
  19: 'C_ERROR_SLAVER_RES_NOT_MATCH',
  20: 'C_ERROR_ALL_RES_USED',
});

/** `SsmGetChType` values. Types above 9 exist on newer boards but their numbers are not public. */
export const ChType = {
  Analog: 0,
  Internal: 1,
  Station: 2,
  Recorder: 3,
  Ss1: 4,
  Fax: 5,
  Ss7: 6,
  IsdnUser: 7,
  IsdnNet: 8,
  SoftFax: 9,
} as const;

export const CH_TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'ANALOG_CH',
  1: 'INTER_CH',
  2: 'USER_CH',
  3: 'REC_CH',
  4: 'SS1_CH',
  5: 'FAX_CH',
  6: 'SS7_CH',
  7: 'ISDN_USER_CH',
  8: 'ISDN_NET_CH',
  9: 'SOFTFAX_CH',
});

/** Event codes (`wEventCode`) the driver handles. */
export const Ev = {
  PcmLinkStatus: 0x07,
  RcvDtmf: 0x0c,
  SendDtmf: 0x0d,
  PlayEnd: 0x0f,
  RecordEnd: 0x13,
  ChState: 0x18,
  AutoDial: 0x19,
  ActualPickup: 0x1c,
  RingFlag: 0x1d,
  RingCount: 0x1e,
  RxPhoNumBuf: 0x20,
  HookState: 0x24,
  CallerId: 0x45,
} as const;

/** Channel states (`SsmGetChState`, low word of `E_CHG_ChState`'s dwParam). */
export const St = {
  Standby: 0,
  Pickuped: 1,
  Ringing: 2,
  Talking: 3,
  AnalogWaitDialTone: 4,
  AnalogTxPhoNum: 5,
  AnalogWaitDialResult: 6,
  Pending: 7,
  Offline: 8,
  WaitRemotePickup: 9,
  Unavailable: 11,
  Locked: 12,
  RemoteBlock: 19,
  LocalBlock: 20,
  Ss1OutWaitBwdAck: 40,
  Ss1OutTxPhoNum: 41,
  Ss1OutTxCallerId: 43,
  Ss1OutWaitKb: 44,
  SendRing: 100,
} as const;

export const STATE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'S_CALL_STANDBY',
  1: 'S_CALL_PICKUPED',
  2: 'S_CALL_RINGING',
  3: 'S_CALL_TALKING',
  4: 'S_CALL_ANALOG_WAITDIALTONE',
  5: 'S_CALL_ANALOG_TXPHONUM',
  6: 'S_CALL_ANALOG_WAITDIALRESULT',
  7: 'S_CALL_PENDING',
  8: 'S_CALL_OFFLINE',
  9: 'S_CALL_WAIT_REMOTE_PICKUP',
  10: 'S_CALL_ANALOG_CLEAR',
  11: 'S_CALL_UNAVAILABLE',
  12: 'S_CALL_LOCKED',
  19: 'S_CALL_RemoteBlock',
  20: 'S_CALL_LocalBlock',
  30: 'S_CALL_Ss1InWaitPhoNum',
  31: 'S_CALL_Ss1InWaitFwdStop',
  32: 'S_CALL_Ss1InWaitCallerID',
  33: 'S_CALL_Ss1InWaitKD',
  34: 'S_CALL_Ss1InWaitKDStop',
  35: 'S_CALL_SS1_SAYIDLE',
  36: 'S_CALL_SS1WaitIdleCAS',
  37: 'S_CALL_SS1PhoNumHoldup',
  38: 'S_CALL_Ss1InWaitStopSendA3p',
  40: 'S_CALL_Ss1OutWaitBwdAck',
  41: 'S_CALL_Ss1OutTxPhoNum',
  42: 'S_CALL_Ss1OutWaitAppendPhoNum',
  43: 'S_CALL_Ss1OutTxCallerID',
  44: 'S_CALL_Ss1OutWaitKB',
  45: 'S_CALL_Ss1OutDetectA3p',
  100: 'S_CALL_SENDRING',
});

/** Pending reasons (`SsmGetPendingReason` in state S_CALL_PENDING). */
export const PEND_WAIT_BCK_STP_MSG = 10;
export const PENDING_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'ANALOGOUT_NO_DIALTONE',
  1: 'ANALOGOUT_BUSYTONE',
  2: 'ANALOGOUT_ECHO_NOVOICE',
  3: 'ANALOGOUT_NOANSWER',
  4: 'ANALOGOUT_TALKING_REMOTE_HANGUPED',
  5: 'ANALOGOUT_NOVOICE',
  10: 'PEND_WaitBckStpMsg',
  11: 'SS1IN_BWD_KB5',
  12: 'PEND_RemoteHangupOnTalking',
  13: 'PEND_AutoDialFailed',
  14: 'PEND_SsxUnusable',
  15: 'PEND_CircuitReset',
  16: 'PEND_PcmSyncLos',
  20: 'PEND_CalleeHangupOnTalking',
  21: 'SS1OUT_NOANSWER',
  22: 'SS1OUT_NOBWDACK',
  23: 'SS1OUT_DIALING_BWD_HANGUP',
  24: 'SS1OUT_BWD_A5',
  25: 'SS1OUT_BWD_KB5',
  26: 'SS1OUT_BWD_KB2',
  27: 'SS1OUT_BWD_KB3',
  28: 'SS1OUT_BWD_A4',
  29: 'SS1OUT_BWD_KB4',
  41: 'ISDN_CALLOVER',
  45: 'ISDN_UNALLOCATED_NUMBER',
  46: 'ISDN_NETWORK_BUSY',
  47: 'ISDN_CIRCUIT_NOT_AVAILABLE',
  48: 'PEND_CalleeHangupOnWaitRemotePickUp',
  51: 'PEND_RcvHGBOrSGB',
  52: 'ISDN_NO_ANSWER',
  53: 'ISDN_CALL_REJ',
  54: 'PEND_RemoteHangupOnRinging',
  65: 'ISDN_NORMAL_UNSPEC',
  66: 'ISDN_USER_ABSENCE',
  67: 'ISDN_INVALID_NUMBER_FOEMAT',
  68: 'ISDN_NO_CIRCUIT_AVAILABLE',
});

/** AutoDial progress (`SsmChkAutoDial`, dwParam of `E_PROC_AutoDial`). */
export const Dial = {
  Standby: 0,
  Dialing: 1,
  EchoTone: 2,
  NoDialTone: 3,
  BusyTone: 4,
  EchoNoVoice: 5,
  NoVoice: 6,
  Voice: 7,
  VoiceF1: 8,
  VoiceF2: 9,
  NoAnswer: 10,
  Failure: 11,
  InvalidPhoNum: 12,
  SessionProceeding: 13,
  IsdnProgress: 14,
} as const;

export const DIAL_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'DIAL_STANDBY',
  1: 'DIAL_DIALING',
  2: 'DIAL_ECHOTONE',
  3: 'DIAL_NO_DIALTONE',
  4: 'DIAL_BUSYTONE',
  5: 'DIAL_ECHO_NOVOICE',
  6: 'DIAL_NOVOICE',
  7: 'DIAL_VOICE',
  8: 'DIAL_VOICEF1',
  9: 'DIAL_VOICEF2',
  10: 'DIAL_NOANSWER',
  11: 'DIAL_FAILURE',
  12: 'DIAL_INVALID_PHONUM',
  13: 'DIAL_SESSION_PROCEEDING',
  14: 'DIAL_ISDN_PROGRESS',
  15: 'DIAL_REFER_ACCEPT',
  16: 'DIAL_REFER_REFUSE',
  17: 'DIAL_STUN_FAILED',
});

/** `SsmGetAutoDialFailureReason` values (ATDL_*) the driver tells apart. */
export const ATDL_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'ATDL_NULL',
  1: 'ATDL_Cancel',
  2: 'ATDL_WaitDialAnsTimeout',
  3: 'ATDL_WaitRemotePickupTimeout',
  4: 'ATDL_PcmSyncLos',
  40: 'ATDL_SS1WaitOccupyAckTimeout',
  41: 'ATDL_SS1RcvCAS_HANGUP',
  42: 'ATDL_SS1RcvA4',
  43: 'ATDL_SS1RcvA5',
  50: 'ATDL_SS1RcvKB2',
  51: 'ATDL_SS1RcvKB3',
  52: 'ATDL_SS1RcvKB4',
  53: 'ATDL_SS1RcvKB5',
});

/** `E_PROC_PlayEnd` reasons [SYN-OC]. */
export const PlayEnd = { Completed: 1, Dtmf: 2, BargeIn: 3, AppStop: 4, Hangup: 5 } as const;
/** `E_PROC_RecordEnd` reasons [SYN-OC] (exact list UNCERTAIN). */
export const RecordEnd = { AppStop: 1, Dtmf: 2, Hangup: 3, Full: 4 } as const;

/** The name of a code in one of the tables above, or `UNKNOWN_<n>`. */
export function nameOf(table: Readonly<Record<number, string>>, code: number): string {
  return table[code] ?? `UNKNOWN_${code}`;
}

/** What the SDK calls a Synway channel type. `undefined` kinds are declared with no capability. */
export function kindOf(type: number): {
  readonly kind: ChannelKind;
  readonly signaling: SignalingType;
  readonly usable: boolean;
} {
  switch (type) {
    case ChType.Analog:
      return { kind: 'analog-trunk', signaling: 'loop-start', usable: true };
    case ChType.Ss1:
      return { kind: 'digital-trunk', signaling: 'china-no1', usable: true };
    case ChType.Ss7:
      return { kind: 'digital-trunk', signaling: 'ss7', usable: true };
    case ChType.IsdnUser:
    case ChType.IsdnNet:
      return { kind: 'digital-trunk', signaling: 'isdn', usable: true };
    case ChType.Station:
      return { kind: 'station', signaling: 'none', usable: true };
    case ChType.Fax:
    case ChType.SoftFax:
      return { kind: 'fax', signaling: 'none', usable: false };
    case ChType.Recorder:
      return { kind: 'recorder', signaling: 'none', usable: false };
    default:
      return { kind: 'virtual', signaling: 'none', usable: false };
  }
}

/** Why a call in S_CALL_PENDING ended, for `hangup`. */
export function hangupCauseOf(reason: number | undefined): HangupCause {
  switch (reason) {
    case 4:
    case 12:
    case 20:
    case 48:
    case 54:
    case 41:
    case 65:
      return 'normal';
    case 1:
    case 26:
    case 27:
    case 46:
      return 'busy';
    case 3:
    case 21:
    case 52:
      return 'no-answer';
    case 11:
    case 24:
    case 25:
    case 45:
      return 'unallocated';
    case 28:
    case 29:
    case 47:
    case 68:
      return 'congestion';
    case 53:
      return 'rejected';
    case 14:
    case 15:
    case 16:
      return 'network-out-of-order';
    default:
      return 'unknown';
  }
}

/**
 * The outcome of a failed AutoDial: the failure reason (ATDL_*, the most specific), then the
 * pending reason, then the progress code. Returns undefined when none of them is conclusive.
 */
export function dialFailureOutcome(
  dial: number | undefined,
  atdl: number | undefined,
  pending: number | undefined,
): DialOutcome | undefined {
  switch (atdl) {
    case 50:
    case 51:
      return 'busy';
    case 52:
    case 42:
      return 'congestion';
    case 53:
    case 43:
      return 'unallocated';
    case 2:
    case 3:
      return dial === Dial.NoDialTone ? 'no-dial-tone' : 'no-answer';
    default:
      break;
  }
  if (pending !== undefined) {
    switch (pending) {
      case 0:
        return 'no-dial-tone';
      case 1:
      case 26:
      case 27:
      case 46:
        return 'busy';
      case 2:
      case 3:
      case 5:
      case 21:
      case 52:
        return 'no-answer';
      case 24:
      case 25:
      case 45:
        return 'unallocated';
      case 28:
      case 29:
      case 47:
      case 68:
      case 22:
        return 'congestion';
      case 53:
        return 'rejected';
      default:
        break;
    }
  }
  switch (dial) {
    case Dial.NoDialTone:
      return 'no-dial-tone';
    case Dial.BusyTone:
      return 'busy';
    case Dial.EchoNoVoice:
    case Dial.NoVoice:
    case Dial.NoAnswer:
      return 'no-answer';
    case Dial.InvalidPhoNum:
      return 'unallocated';
    case Dial.Failure:
      return 'congestion';
    default:
      return undefined;
  }
}

/** AutoDial progress codes that end the attempt unsuccessfully. */
export function isDialFailure(dial: number): boolean {
  return (
    dial === Dial.NoDialTone ||
    dial === Dial.BusyTone ||
    dial === Dial.EchoNoVoice ||
    dial === Dial.NoVoice ||
    dial === Dial.NoAnswer ||
    dial === Dial.Failure ||
    dial === Dial.InvalidPhoNum
  );
}

/** The dial stage a channel state or progress code stands for, if any. */
export function stageOfState(state: number): DialStage | undefined {
  if (state === St.AnalogWaitDialTone || state === St.Ss1OutWaitBwdAck || state === St.Locked) return 'seized';
  if (state === St.AnalogTxPhoNum || state === St.Ss1OutTxPhoNum) return 'dialing';
  if (state === St.AnalogWaitDialResult || state === St.Ss1OutTxCallerId || state === St.Ss1OutWaitKb)
    return 'proceeding';
  if (state === St.WaitRemotePickup || state === St.SendRing) return 'alerting';
  return undefined;
}
export function stageOfDial(dial: number): DialStage | undefined {
  if (dial === Dial.Dialing) return 'dialing';
  if (dial === Dial.SessionProceeding || dial === Dial.IsdnProgress) return 'proceeding';
  if (dial === Dial.EchoTone) return 'alerting';
  return undefined;
}

/**
 * Synway codec ids (`nFormat` of SsmPlayFile/SsmRecToFile) per SDK encoding. The facts give 6 as
 * the default (A-law) and a strong but UNCERTAIN hypothesis that the ids follow the WAVE format
 * tags: 1 linear PCM 16-bit, 6 A-law, 7 µ-law. `vox` (OKI ADPCM) has no confirmed id. Override
 * with the driver's `codecs` option once checked against the manual of the installed driver.
 */
export const DEFAULT_CODECS: Readonly<Partial<Record<AudioEncoding, number>>> = Object.freeze({
  pcm16: 1,
  alaw: 6,
  ulaw: 7,
});

/** `nFormat` -1: take the format from the file's WAVE header. */
export const FORMAT_FROM_HEADER = -1;

/** Bytes per millisecond of each codec id the driver knows (8 kHz). */
export const CODEC_BYTES_PER_MS: Readonly<Record<number, number>> = Object.freeze({ 1: 16, 6: 8, 7: 8 });
