/*
 * A fake Synway libshpa3.so for tests: the same exported symbols, signatures (4-byte DWORD),
 * structure packing and numeric codes as shpa3api.h (research/vendor-apis.md §1), simulating a
 * board's channels and the lines behind them. It raises the event sequences a real board does:
 *
 *   inbound analog : RingFlag, RingCount, RCV_CALLERID, ChState 0→2; SsmPickup → 2→3 + ActualPickup
 *   inbound SS1    : ChState 0→30, RxPhoNumBuf per digit, 30→32→33, then 33→2 (AutoSendKB) or
 *                    33→7 pending PEND_WaitBckStpMsg until SsmSetKB (KB1 → 7→2, else caller clears)
 *   far hang-up    : PlayEnd(5) / RecordEnd(3) first, then ChState →7 with the pending reason
 *                    (12 talking, 54 ringing, 4 analog outbound talking, 20 SS1 outbound talking)
 *   SsmHangup      : PlayEnd(4) / RecordEnd(1), then ChState →0
 *   AutoDial       : analog 0→4→5→6→9→3 (DIAL_DIALING, DIAL_ECHOTONE, DIAL_VOICE) or →7 with
 *                    ANALOGOUT_* reasons; SS1 0→40→41→43→44→9→3 or →7 with SS1OUT_* and ATDL_SS1*
 *   stations       : SsmStartRing 0→100; off-hook HookState(1) 100→1; on-hook HookState(0) →0
 *   channel fault  : ChState →11 (S_CALL_UNAVAILABLE); recovery 11→0
 *
 * Only the polling event mode is simulated (SsmWaitForEvent / SsmGetEvent). Time is a manual
 * clock moved by FakeShp_Advance (fake-control.h). One mutex guards everything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../native/shpa3api.h"
#include "fake-control.h"

#define EXPORT __attribute__((visibility("default")))
#define MAX_CH 1024
#define MAX_GROUPS 64
#define NO_DUE (-1LL)

typedef struct {
  int type, state, pending, dialStatus, atdl, failed;
  char callerId[64], phoNum[64], ringCid[64];
  int ka, kd, kb, autoKb, txKa, txKd;
  char txCallerId[64];
  int hook, rxDtmfOn, dtmfStopPlay;
  char rxDtmf[256];
  int callId, outbound;
  int playing; long long playDue;
  int recording; long long recStart; char recPath[1024]; int recCodec;
  int txing; long long txDue; char txSent[256];
  char dialNum[64]; int dialStep; long long dialDue; int behaviour, rings;
  int talkPeer, confGrp;
} Ch;

typedef struct { int ch, state; } Call;
typedef struct { char number[64]; int behaviour, rings; } Subscriber;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started;
static int nch;
static Ch chs[MAX_CH];
static long long now_ms;
static Call *calls; static int ncalls, capcalls;
static Subscriber subs[256]; static int nsubs;
static int groups[MAX_GROUPS];
static MESSAGE_INFO *queue; static size_t qcap, qhead, qlen;
static int eventMode; static unsigned char disabled[65536 / 8];
static int waitAnswerMs = 25000;
static char boardName[128] = "SHT-FAKE (Hotline fake libshpa3)";
static char failFn[64]; static int failCode = -1;

static __thread int lastErr;
static __thread char lastMsg[512];

static int fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lastErr = code;
  vsnprintf(lastMsg, sizeof lastMsg, fmt, ap);
  va_end(ap);
  return -1;
}

/* ----------------------------------------------------------------------------- events */

static void push(WORD code, int ref, DWORD param, int user) {
  if (!user && (eventMode != EVENT_POLLING || (disabled[code / 8] & (1 << (code % 8))))) return;
  if (qlen == qcap) {
    size_t ncap = qcap ? qcap * 2 : 1024;
    MESSAGE_INFO *nq = malloc(ncap * sizeof *nq);
    for (size_t i = 0; i < qlen; i++) nq[i] = queue[(qhead + i) % qcap];
    free(queue);
    queue = nq; qcap = ncap; qhead = 0;
  }
  MESSAGE_INFO *m = &queue[(qhead + qlen) % qcap];
  m->wEventCode = code; m->nReference = ref; m->dwParam = param;
  qlen++;
  pthread_cond_broadcast(&cv);
}
static void emit(WORD code, int ch, DWORD param) { push(code, ch, param, 0); }

static void set_state(int c, int s) {
  int old = chs[c].state;
  chs[c].state = s;
  emit(E_CHG_ChState, c, ((DWORD)(old & 0xffff) << 16) | (DWORD)(s & 0xffff));
}

static void pend(int c, int reason) {
  chs[c].pending = reason;
  set_state(c, S_CALL_PENDING);
}

/* ----------------------------------------------------------------------------- helpers */

#define GUARD_STARTED() do { if (!started) { int r_ = fail(C_ERROR_SSMAPI_UNOPENED, "SsmStartCti has not been called"); pthread_mutex_unlock(&mu); return r_; } } while (0)
#define GUARD_CH(c) do { if ((c) < 0 || (c) >= nch) { int r_ = fail(C_ERROR_INVALID_APPCH, "channel %d does not exist (0..%d)", (c), nch - 1); pthread_mutex_unlock(&mu); return r_; } } while (0)
#define GUARD_OK(c) do { if (chs[c].failed) { int r_ = fail(C_ERROR_OP_FAILURE, "channel %d is unavailable", (c)); pthread_mutex_unlock(&mu); return r_; } } while (0)
#define ENTER(c) pthread_mutex_lock(&mu); if (take_fail(__func__)) { pthread_mutex_unlock(&mu); return -1; } GUARD_STARTED(); GUARD_CH(c)
#define RETURN(v) do { int r_ = (v); pthread_mutex_unlock(&mu); return r_; } while (0)

static int take_fail(const char *fn) {
  if (failCode >= 0 && strcmp(fn, failFn) == 0) {
    int code = failCode;
    failCode = -1;
    fail(code, "%s failed (injected by FakeShp_FailNext)", fn);
    return 1;
  }
  return 0;
}

static int is_trunk(int type) { return type == ANALOG_CH || type == SS1_CH || type == SS7_CH || type == ISDN_USER_CH || type == ISDN_NET_CH; }
static int is_digital(int type) { return type == SS1_CH || type == SS7_CH || type == ISDN_USER_CH || type == ISDN_NET_CH; }

static int new_call(int c) {
  if (ncalls == capcalls) {
    capcalls = capcalls ? capcalls * 2 : 256;
    calls = realloc(calls, (size_t)capcalls * sizeof *calls);
  }
  calls[ncalls].ch = c;
  calls[ncalls].state = FAKE_CALL_SETUP;
  chs[c].callId = ncalls + 1;
  return ++ncalls;
}
static Call *call_of(int id) { return id >= 1 && id <= ncalls ? &calls[id - 1] : NULL; }
static void end_call(int c, int how) {
  Call *k = call_of(chs[c].callId);
  if (k && (k->state == FAKE_CALL_SETUP || k->state == FAKE_CALL_CONNECTED)) k->state = how;
  chs[c].callId = 0;
}

/* WAV header + silence for a finished recording. Codec ids: 1 PCM16, 6 A-law, 7 mu-law. */
static void put16(unsigned char *p, unsigned v) { p[0] = v & 255; p[1] = (v >> 8) & 255; }
static void put32(unsigned char *p, unsigned v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }
static int write_wav(const char *path, int codec, long long ms) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  unsigned bps = codec == 1 ? 2 : 1;
  unsigned bytes = (unsigned)(ms * 8 * bps);
  unsigned char h[44];
  memcpy(h, "RIFF", 4); put32(h + 4, 36 + bytes); memcpy(h + 8, "WAVEfmt ", 8);
  put32(h + 16, 16); put16(h + 20, (unsigned)codec); put16(h + 22, 1); put32(h + 24, 8000);
  put32(h + 28, 8000 * bps); put16(h + 32, bps); put16(h + 34, bps * 8);
  memcpy(h + 36, "data", 4); put32(h + 40, bytes);
  fwrite(h, 1, 44, f);
  unsigned char silence[1024];
  memset(silence, codec == 6 ? 0xd5 : codec == 7 ? 0xff : 0, sizeof silence);
  while (bytes > 0) {
    unsigned n = bytes > sizeof silence ? sizeof silence : bytes;
    fwrite(silence, 1, n, f);
    bytes -= n;
  }
  return fclose(f);
}

static void stop_play(int c, int reason) {
  if (!chs[c].playing) return;
  chs[c].playing = 0;
  chs[c].playDue = NO_DUE;
  emit(E_PROC_PlayEnd, c, (DWORD)reason);
}
static void stop_record(int c, int reason) {
  if (!chs[c].recording) return;
  chs[c].recording = 0;
  write_wav(chs[c].recPath, chs[c].recCodec, now_ms - chs[c].recStart);
  emit(E_PROC_RecordEnd, c, (DWORD)reason);
}
static void clear_ops(int c) {
  chs[c].txing = 0; chs[c].txDue = NO_DUE;
  chs[c].dialStep = 0; chs[c].dialDue = NO_DUE;
}
static void unlink_peer(int c) {
  int p = chs[c].talkPeer;
  if (p >= 0 && p < nch && chs[p].talkPeer == c) chs[p].talkPeer = -1;
  chs[c].talkPeer = -1;
}

static int parse_channels(const char *spec) {
  static const struct { const char *name; int type; } names[] = {
    {"analog", ANALOG_CH}, {"inter", INTER_CH}, {"user", USER_CH}, {"rec", REC_CH}, {"ss1", SS1_CH},
    {"fax", FAX_CH}, {"ss7", SS7_CH}, {"isdnu", ISDN_USER_CH}, {"isdnn", ISDN_NET_CH}, {"softfax", SOFTFAX_CH},
  };
  nch = 0;
  const char *p = spec;
  while (*p) {
    char name[32]; int count = 1, len = 0;
    while (*p == ' ' || *p == ',') p++;
    while (*p && *p != '*' && *p != ',' && *p != '\r' && *p != '\n' && len < 31) name[len++] = *p++;
    name[len] = 0;
    if (!len) break;
    if (*p == '*') { p++; count = atoi(p); while (*p >= '0' && *p <= '9') p++; }
    int type = -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) if (strcmp(names[i].name, name) == 0) type = names[i].type;
    if (type < 0) return fail(C_ERROR_INIT_FAILURE, "FakeChannels: unknown channel type '%s'", name);
    for (int i = 0; i < count && nch < MAX_CH; i++) chs[nch++].type = type;
    if (*p == '\r' || *p == '\n') break;
  }
  return 0;
}

/* ----------------------------------------------------------------------------- start / stop */

EXPORT int SsmStartCti(LPCSTR cfg, LPCSTR idx) {
  (void)idx;
  pthread_mutex_lock(&mu);
  if (take_fail(__func__)) RETURN(-1);
  if (started) RETURN(fail(C_ERROR_INIT_FAILURE, "the driver is already started"));
  FILE *f = cfg ? fopen(cfg, "r") : NULL;
  if (!f) RETURN(fail(C_ERROR_INIT_FAILURE, "cannot open configuration file %s: %s", cfg ? cfg : "(null)", strerror(errno)));
  char line[1024], spec[1024] = "analog*4,user*2,ss1*8";
  int autoKb = 1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "FakeChannels=", 13) == 0) snprintf(spec, sizeof spec, "%s", line + 13);
    else if (strncmp(line, "AutoSendKB=", 11) == 0) autoKb = atoi(line + 11);
    else if (strncmp(line, "MaxWaitAutoDialAnswerTime=", 26) == 0) waitAnswerMs = atoi(line + 26) * 1000;
    else if (strncmp(line, "FakeFailStart=", 14) == 0 && atoi(line + 14) >= 0) {
      fclose(f);
      RETURN(fail(atoi(line + 14), "board initialisation failed (FakeFailStart)"));
    }
  }
  fclose(f);
  memset(chs, 0, sizeof chs);
  if (parse_channels(spec) < 0) RETURN(-1);
  for (int c = 0; c < nch; c++) {
    chs[c].talkPeer = -1; chs[c].confGrp = -1; chs[c].autoKb = autoKb;
    chs[c].playDue = chs[c].txDue = chs[c].dialDue = NO_DUE;
  }
  memset(groups, 0, sizeof groups);
  qhead = qlen = 0;
  eventMode = NO_EVENT;
  memset(disabled, 0, sizeof disabled);
  nsubs = 0;
  started = 1;
  RETURN(0);
}

EXPORT int SsmCloseCti(void) {
  pthread_mutex_lock(&mu);
  if (take_fail(__func__)) RETURN(-1);
  if (!started) RETURN(fail(C_ERROR_SSMAPI_UNOPENED, "SsmStartCti has not been called"));
  for (int c = 0; c < nch; c++) {
    if (chs[c].recording) write_wav(chs[c].recPath, chs[c].recCodec, now_ms - chs[c].recStart);
    if (chs[c].callId) end_call(c, FAKE_CALL_BOARD_RELEASED);
  }
  started = 0;
  nch = 0;
  qhead = qlen = 0;
  pthread_cond_broadcast(&cv);
  RETURN(0);
}

EXPORT int SsmGetLastErrCode(void) { return lastErr; }
EXPORT int SsmGetLastErrMsg(char *buf) { if (buf) strcpy(buf, lastMsg); return 0; }
EXPORT int SsmGetMaxCh(void) { pthread_mutex_lock(&mu); GUARD_STARTED(); RETURN(nch); }
EXPORT int SsmGetMaxUsableBoard(void) { pthread_mutex_lock(&mu); GUARD_STARTED(); RETURN(1); }
EXPORT int SsmGetChType(int ch) { ENTER(ch); RETURN(chs[ch].type); }
EXPORT int SsmGetChHdInfo(int ch, int *b, int *bch) { ENTER(ch); if (b) *b = 0; if (bch) *bch = ch; RETURN(0); }
EXPORT int SsmGetBoardModel(int b) { pthread_mutex_lock(&mu); GUARD_STARTED(); RETURN(b == 0 ? 0x5a : fail(C_ERROR_INVALID_PARAMETER, "no board %d", b)); }
EXPORT int SsmGetBoardName(int b, LPSTR name) {
  pthread_mutex_lock(&mu); GUARD_STARTED();
  if (b != 0) RETURN(fail(C_ERROR_INVALID_PARAMETER, "no board %d", b));
  if (name) strcpy(name, boardName);
  RETURN(0);
}
EXPORT DWORD SsmGetPciSerialNo(int b) { (void)b; return 20260001u; }
EXPORT int SsmGetDllVersion(PSSM_VERSION v) {
  if (!v) return fail(C_ERROR_INVALID_PARAMETER, "null version");
  v->ucMajor = 3; v->ucMinor = 7; v->usInternal = 0; v->usBuild = 1; v->ucRelease = 0; v->ucFeature = 0;
  return 0;
}

/* ----------------------------------------------------------------------------- events API */

EXPORT int SsmSetEvent(WORD code, int ref, BOOL enable, PEVENT_SET_INFO info) {
  (void)ref;
  pthread_mutex_lock(&mu);
  if (take_fail(__func__)) RETURN(-1);
  GUARD_STARTED();
  if (enable && info) {
    if (info->dwWorkMode != EVENT_POLLING && info->dwWorkMode != NO_EVENT)
      RETURN(fail(C_ERROR_UNSUPPORTED_OP, "the fake library simulates the polling event mode only (mode %u)", info->dwWorkMode));
    eventMode = (int)info->dwWorkMode;
  }
  if (code == 0xffff) {
    memset(disabled, enable ? 0 : 0xff, sizeof disabled);
  } else if (enable) {
    disabled[code / 8] &= (unsigned char)~(1 << (code % 8));
  } else {
    disabled[code / 8] |= (unsigned char)(1 << (code % 8));
  }
  RETURN(0);
}

static int pop(PMESSAGE_INFO out) {
  if (!qlen) return -1;
  *out = queue[qhead];
  qhead = (qhead + 1) % qcap;
  qlen--;
  return 0;
}

EXPORT int SsmGetEvent(PMESSAGE_INFO out) {
  pthread_mutex_lock(&mu);
  int r = out ? pop(out) : -1;
  RETURN(r);
}

EXPORT int SsmWaitForEvent(DWORD timeoutMs, PMESSAGE_INFO out) {
  if (!out) return fail(C_ERROR_INVALID_PARAMETER, "null event");
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += timeoutMs / 1000;
  until.tv_nsec += (long)(timeoutMs % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
  pthread_mutex_lock(&mu);
  while (!qlen && started) {
    if (pthread_cond_timedwait(&cv, &mu, &until) == ETIMEDOUT) break;
  }
  int r = pop(out);
  RETURN(r);
}

EXPORT int SsmPutUserEvent(WORD code, int ref, DWORD param) {
  pthread_mutex_lock(&mu);
  GUARD_STARTED();
  push(code, ref, param, 1);
  RETURN(0);
}

/* ----------------------------------------------------------------------------- channel state */

EXPORT int SsmGetChState(int ch) { ENTER(ch); RETURN(chs[ch].state); }
EXPORT int SsmGetChStateEx(int ch, PSTATEEX s) {
  ENTER(ch);
  if (!s) RETURN(fail(C_ERROR_INVALID_PARAMETER, "null STATEEX"));
  Ch *k = &chs[ch];
  s->nStateEx = k->recording ? 1 : k->playing ? 2 : k->dialStep ? 4 : 0;
  s->dwBytesRecorded = k->recording ? (DWORD)((now_ms - k->recStart) * 8 * (k->recCodec == 1 ? 2 : 1)) : 0;
  s->dwBytesPlayed = 0; s->dwBytesProcessed = 0;
  RETURN(0);
}
EXPORT int SsmGetPendingReason(int ch) { ENTER(ch); RETURN(chs[ch].pending); }
EXPORT int SsmGetCallerId(int ch, LPSTR out) { ENTER(ch); if (out) strcpy(out, chs[ch].callerId); RETURN(0); }
EXPORT int SsmGetPhoNumStr(int ch, LPSTR out) { ENTER(ch); if (out) strcpy(out, chs[ch].phoNum); RETURN((int)strlen(chs[ch].phoNum)); }
EXPORT int SsmGetKA(int ch) { ENTER(ch); RETURN(is_digital(chs[ch].type) ? chs[ch].ka : fail(C_ERROR_UNSUPPORTED_OP, "channel %d has no China No.1 signalling", ch)); }
EXPORT int SsmGetKD(int ch) { ENTER(ch); RETURN(is_digital(chs[ch].type) ? chs[ch].kd : fail(C_ERROR_UNSUPPORTED_OP, "channel %d has no China No.1 signalling", ch)); }
EXPORT int SsmSetKA(int ch, BYTE v) { ENTER(ch); chs[ch].txKa = v; RETURN(0); }
EXPORT int SsmSetKD(int ch, BYTE v) { ENTER(ch); chs[ch].txKd = v; RETURN(0); }
EXPORT int SsmEnableAutoSendKB(int ch, BOOL on) {
  ENTER(ch);
  if (chs[ch].type != SS1_CH) RETURN(fail(C_ERROR_UNSUPPORTED_OP, "channel %d is not an SS1 channel", ch));
  chs[ch].autoKb = on ? 1 : 0;
  RETURN(0);
}
EXPORT int SsmSetKB(int ch, BYTE kb) {
  ENTER(ch);
  GUARD_OK(ch);
  Ch *k = &chs[ch];
  if (k->type != SS1_CH) RETURN(fail(C_ERROR_UNSUPPORTED_OP, "channel %d is not an SS1 channel", ch));
  if (k->state != S_CALL_PENDING || k->pending != PEND_WaitBckStpMsg)
    RETURN(fail(C_ERROR_OP_FAILURE, "channel %d is not waiting for KB (state %d)", ch, k->state));
  k->kb = kb;
  if (kb == 1) {
    set_state(ch, S_CALL_RINGING);
  } else {
    /* The calling exchange clears forward after a busy/unallocated KB. */
    end_call(ch, FAKE_CALL_REJECTED);
    pend(ch, PEND_RemoteHangupOnRinging);
  }
  RETURN(0);
}

/* ----------------------------------------------------------------------------- answer / hangup */

EXPORT int SsmPickup(int ch) {
  ENTER(ch);
  GUARD_OK(ch);
  Ch *k = &chs[ch];
  if (!is_trunk(k->type)) RETURN(fail(C_ERROR_UNSUPPORTED_OP, "channel %d (type %d) cannot pick up", ch, k->type));
  if (k->state != S_CALL_RINGING) RETURN(fail(C_ERROR_OP_FAILURE, "channel %d is not ringing (state %d)", ch, k->state));
  Call *call = call_of(k->callId);
  if (call) call->state = FAKE_CALL_CONNECTED;
  set_state(ch, S_CALL_TALKING);
  if (k->type == ANALOG_CH) emit(E_SYS_ActualPickup, ch, 0);
  RETURN(0);
}

EXPORT int SsmHangup(int ch) {
  ENTER(ch);
  Ch *k = &chs[ch];
  if (k->failed) RETURN(0);
  stop_play(ch, PLAYEND_APPSTOP);
  stop_record(ch, RECEND_APPSTOP);
  if (k->dialStep) k->atdl = ATDL_Cancel;
  clear_ops(ch);
  unlink_peer(ch);
  if (k->callId) end_call(ch, FAKE_CALL_BOARD_RELEASED);
  k->outbound = 0;
  if (k->type == USER_CH) {
    if (k->state == S_CALL_SENDRING) set_state(ch, S_CALL_STANDBY);
    /* An off-hook phone stays off-hook (the board sends busy tone) until it is put down. */
    RETURN(0);
  }
  if (k->state != S_CALL_STANDBY) set_state(ch, S_CALL_STANDBY);
  RETURN(0);
}

/* ----------------------------------------------------------------------------- dialling */

static const Subscriber *subscriber(const char *number) {
  for (int i = 0; i < nsubs; i++) if (strcmp(subs[i].number, number) == 0) return &subs[i];
  return NULL;
}

EXPORT int SsmSetTxCallerId(int ch, LPCSTR id) { ENTER(ch); snprintf(chs[ch].txCallerId, sizeof chs[ch].txCallerId, "%s", id ? id : ""); RETURN(0); }

EXPORT int SsmAutoDial(int ch, LPCSTR number) {
  ENTER(ch);
  GUARD_OK(ch);
  Ch *k = &chs[ch];
  if (!is_trunk(k->type)) RETURN(fail(C_ERROR_UNSUPPORTED_OP, "channel %d (type %d) cannot dial", ch, k->type));
  if (!number || !*number || strlen(number) >= sizeof k->dialNum) RETURN(fail(C_ERROR_INVALID_PARAMETER, "bad number"));
  for (const char *p = number; *p; p++)
    if (!strchr("0123456789*#ABCD,", *p)) RETURN(fail(C_ERROR_INVALID_PARAMETER, "bad digit '%c' in number", *p));
  if (k->state != S_CALL_STANDBY && k->state != S_CALL_LOCKED) RETURN(fail(C_ERROR_OP_FAILURE, "channel %d is busy (state %d)", ch, k->state));
  const Subscriber *s = subscriber(number);
  strcpy(k->dialNum, number);
  k->behaviour = s ? s->behaviour : FAKE_ANSWER;
  k->rings = s ? s->rings : 1;
  k->outbound = 1;
  k->atdl = ATDL_NULL;
  k->pending = 0;
  k->rxDtmf[0] = 0;
  new_call(ch);
  if (k->type == ANALOG_CH) {
    set_state(ch, S_CALL_ANALOG_WAITDIALTONE);
    k->dialStep = 1; k->dialDue = now_ms + 300;
  } else {
    set_state(ch, S_CALL_Ss1OutWaitBwdAck);
    k->dialStep = 11; k->dialDue = now_ms + 100;
  }
  k->dialStatus = DIAL_DIALING;
  emit(E_PROC_AutoDial, ch, DIAL_DIALING);
  RETURN(0);
}

EXPORT int SsmChkAutoDial(int ch) { ENTER(ch); RETURN(chs[ch].dialStatus); }
EXPORT int SsmGetAutoDialFailureReason(int ch) { ENTER(ch); RETURN(chs[ch].atdl); }

static void dial_progress(int c, int status) { chs[c].dialStatus = status; emit(E_PROC_AutoDial, c, (DWORD)status); }
static void dial_fail(int c, int status, int pending, int atdl) {
  Ch *k = &chs[c];
  k->atdl = atdl;
  dial_progress(c, status);
  end_call(c, FAKE_CALL_REJECTED);
  k->dialStep = 0; k->dialDue = NO_DUE;
  pend(c, pending);
}
static void ring_back(int c) {
  Ch *k = &chs[c];
  set_state(c, S_CALL_WAIT_REMOTE_PICKUP);
  dial_progress(c, DIAL_ECHOTONE);
  if (k->behaviour == FAKE_ANSWER) { k->dialStep = 4; k->dialDue = now_ms + 5000LL * (k->rings > 0 ? k->rings : 1) - 4000; }
  else { k->dialStep = 5; k->dialDue = now_ms + waitAnswerMs; }
}

static void dial_step(int c) {
  Ch *k = &chs[c];
  int analog = k->type == ANALOG_CH;
  switch (k->dialStep) {
    case 1:
      if (k->behaviour == FAKE_NODIALTONE) { k->dialStep = 90; k->dialDue = now_ms + 2700; break; }
      set_state(c, S_CALL_ANALOG_TXPHONUM);
      k->dialStep = 2; k->dialDue = now_ms + 100LL * (long long)strlen(k->dialNum);
      break;
    case 2:
      set_state(c, S_CALL_ANALOG_WAITDIALRESULT);
      k->dialStep = 3; k->dialDue = now_ms + 500;
      break;
    case 3:
      if (k->behaviour == FAKE_BUSY || k->behaviour == FAKE_CONGESTION || k->behaviour == FAKE_UNALLOCATED)
        dial_fail(c, DIAL_BUSYTONE, ANALOGOUT_BUSYTONE, ATDL_NULL);
      else ring_back(c);
      break;
    case 4: {
      Call *call = call_of(k->callId);
      if (call) call->state = FAKE_CALL_CONNECTED;
      k->dialStep = 0; k->dialDue = NO_DUE;
      dial_progress(c, DIAL_VOICE);
      set_state(c, S_CALL_TALKING);
      break;
    }
    case 5:
      dial_fail(c, DIAL_NOANSWER, analog ? ANALOGOUT_NOANSWER : SS1OUT_NOANSWER, ATDL_WaitRemotePickupTimeout);
      break;
    case 11:
      set_state(c, S_CALL_Ss1OutTxPhoNum);
      k->dialStep = 12; k->dialDue = now_ms + 50LL * (long long)strlen(k->dialNum);
      break;
    case 12:
      set_state(c, S_CALL_Ss1OutTxCallerID);
      k->dialStep = 13; k->dialDue = now_ms + 100;
      break;
    case 13:
      set_state(c, S_CALL_Ss1OutWaitKB);
      k->dialStep = 14; k->dialDue = now_ms + 200;
      break;
    case 14:
      switch (k->behaviour) {
        case FAKE_BUSY: dial_fail(c, DIAL_FAILURE, SS1OUT_BWD_KB2, ATDL_SS1RcvKB2); break;
        case FAKE_UNALLOCATED: dial_fail(c, DIAL_FAILURE, SS1OUT_BWD_KB5, ATDL_SS1RcvKB5); break;
        case FAKE_CONGESTION: case FAKE_NODIALTONE: dial_fail(c, DIAL_FAILURE, SS1OUT_BWD_KB4, ATDL_SS1RcvKB4); break;
        default: ring_back(c);
      }
      break;
    case 90:
      dial_fail(c, DIAL_NO_DIALTONE, ANALOGOUT_NO_DIALTONE, ATDL_WaitDialAnsTimeout);
      break;
    default:
      k->dialStep = 0; k->dialDue = NO_DUE;
  }
}

/* ----------------------------------------------------------------------------- media */

static int codec_rate(int codec) { return codec == 1 ? 16 : (codec == 6 || codec == 7) ? 8 : 0; /* bytes per ms */ }

/* Finds the byte rate and data size of a WAV file; returns the format tag or -1. */
static int wav_info(FILE *f, long *dataBytes, int *bytesPerMs) {
  unsigned char h[12];
  if (fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVE", 4)) return -1;
  int tag = -1; unsigned rate = 0;
  for (;;) {
    unsigned char ck[8];
    if (fread(ck, 1, 8, f) != 8) return -1;
    unsigned size = ck[4] | ck[5] << 8 | ck[6] << 16 | (unsigned)ck[7] << 24;
    if (!memcmp(ck, "fmt ", 4)) {
      unsigned char fmt[16];
      if (size < 16 || fread(fmt, 1, 16, f) != 16) return -1;
      tag = fmt[0] | fmt[1] << 8;
      rate = fmt[8] | fmt[9] << 8 | fmt[10] << 16 | (unsigned)fmt[11] << 24;
      fseek(f, (long)(size - 16 + (size & 1)), SEEK_CUR);
    } else if (!memcmp(ck, "data", 4)) {
      *dataBytes = (long)size;
      *bytesPerMs = (int)(rate / 1000);
      return tag;
    } else {
      fseek(f, (long)(size + (size & 1)), SEEK_CUR);
    }
  }
}

EXPORT int SsmPlayFile(int ch, LPCSTR file, int format, DWORD start, DWORD len) {
  ENTER(ch);
  GUARD_OK(ch);
  if (!file) RETURN(fail(C_ERROR_INVALID_PARAMETER, "null file name"));
  FILE *f = fopen(file, "rb");
  if (!f) RETURN(fail(C_ERROR_FILEOP_FAILURE, "cannot open %s: %s", file, strerror(errno)));
  long bytes = 0; int perMs = 0;
  int tag = wav_info(f, &bytes, &perMs);
  if (format == -1) {
    if (tag < 0) { fclose(f); RETURN(fail(C_ERROR_INVALID_FORMAT, "%s has no WAVE header (format -1 needs one)", file)); }
    if (!codec_rate(tag)) { fclose(f); RETURN(fail(C_ERROR_INVALID_FORMAT, "%s: WAVE format tag %d is not supported by this board", file, tag)); }
  } else {
    if (!codec_rate(format)) { fclose(f); RETURN(fail(C_ERROR_INVALID_FORMAT, "codec id %d is not supported by this board", format)); }
    perMs = codec_rate(format);
    if (tag < 0) { fseek(f, 0, SEEK_END); bytes = ftell(f); }
  }
  fclose(f);
  if (perMs <= 0) RETURN(fail(C_ERROR_INVALID_FORMAT, "%s: bad byte rate", file));
  long avail = bytes > (long)start ? bytes - (long)start : 0;
  if (len != 0xffffffffu && (long)len < avail) avail = (long)len;
  stop_play(ch, PLAYEND_APPSTOP);
  chs[ch].playing = 1;
  chs[ch].playDue = now_ms + avail / perMs;
  RETURN(0);
}
EXPORT int SsmStopPlayFile(int ch) { ENTER(ch); stop_play(ch, PLAYEND_APPSTOP); RETURN(0); }
EXPORT int SsmCheckPlay(int ch) { ENTER(ch); RETURN(chs[ch].playing ? 0 : 1); }
EXPORT int SsmSetDtmfStopPlay(int ch, BOOL on) { ENTER(ch); chs[ch].dtmfStopPlay = on ? 1 : 0; RETURN(0); }
EXPORT int SsmQueryPlayFormat(int ch, int format) { ENTER(ch); RETURN(format == -1 || codec_rate(format) ? 1 : 0); }
EXPORT int SsmQueryRecFormat(int ch, int format) { ENTER(ch); RETURN(codec_rate(format) ? 1 : 0); }

EXPORT int SsmRecToFile(int ch, LPCSTR file, int format, DWORD start, DWORD bytes, DWORD time, int mask) {
  (void)start; (void)bytes; (void)time; (void)mask;
  ENTER(ch);
  GUARD_OK(ch);
  if (!file) RETURN(fail(C_ERROR_INVALID_PARAMETER, "null file name"));
  if (!codec_rate(format)) RETURN(fail(C_ERROR_INVALID_FORMAT, "codec id %d is not supported for recording", format));
  stop_record(ch, RECEND_APPSTOP);
  if (write_wav(file, format, 0) != 0) RETURN(fail(C_ERROR_FILEOP_FAILURE, "cannot create %s: %s", file, strerror(errno)));
  Ch *k = &chs[ch];
  snprintf(k->recPath, sizeof k->recPath, "%s", file);
  k->recCodec = format;
  k->recStart = now_ms;
  k->recording = 1;
  RETURN(0);
}
EXPORT int SsmStopRecToFile(int ch) { ENTER(ch); stop_record(ch, RECEND_APPSTOP); RETURN(0); }
EXPORT int SsmCheckRecord(int ch) { ENTER(ch); RETURN(chs[ch].recording ? 0 : 1); }

EXPORT int SsmEnableRxDtmf(int ch, BOOL on) { ENTER(ch); chs[ch].rxDtmfOn = on ? 1 : 0; RETURN(0); }
EXPORT int SsmClearRxDtmfBuf(int ch) { ENTER(ch); chs[ch].rxDtmf[0] = 0; RETURN(0); }
EXPORT int SsmGetDtmfStr(int ch, LPSTR out) { ENTER(ch); if (out) strcpy(out, chs[ch].rxDtmf); RETURN((int)strlen(chs[ch].rxDtmf)); }
#ifndef FAKE_MINIMAL
EXPORT int SsmTxDtmf(int ch, LPCSTR digits) {
  ENTER(ch);
  GUARD_OK(ch);
  if (!digits || !*digits || strlen(digits) > 64) RETURN(fail(C_ERROR_INVALID_PARAMETER, "bad DTMF string"));
  for (const char *p = digits; *p; p++)
    if (!strchr("0123456789*#ABCD", *p)) RETURN(fail(C_ERROR_INVALID_PARAMETER, "'%c' is not a DTMF digit", *p));
  Ch *k = &chs[ch];
  size_t have = strlen(k->txSent);
  snprintf(k->txSent + have, sizeof k->txSent - have, "%s", digits);
  k->txing = 1;
  k->txDue = now_ms + 100LL * (long long)strlen(digits);
  RETURN(0);
}
EXPORT int SsmChkTxDtmf(int ch) { ENTER(ch); RETURN(chs[ch].txing ? 0 : 1); }
#endif

#ifndef FAKE_MINIMAL /* the minimal variant lacks bus switching and conferencing (optional symbols) */
/* ----------------------------------------------------------------------------- switching */

EXPORT int SsmTalkWith(int a, int b) {
  ENTER(a);
  GUARD_CH(b);
  GUARD_OK(a);
  GUARD_OK(b);
  if (a == b) RETURN(fail(C_ERROR_INVALID_PARAMETER, "cannot connect channel %d to itself", a));
  unlink_peer(a);
  unlink_peer(b);
  chs[a].talkPeer = b;
  chs[b].talkPeer = a;
  RETURN(0);
}
EXPORT int SsmStopTalkWith(int a, int b) {
  ENTER(a);
  GUARD_CH(b);
  if (chs[a].talkPeer == b) chs[a].talkPeer = -1;
  if (chs[b].talkPeer == a) chs[b].talkPeer = -1;
  RETURN(0);
}

EXPORT int SsmCreateConfGroup(int maxMember, int maxSpeaker, int maxSpeaking, int maxSilence) {
  (void)maxSpeaker; (void)maxSpeaking; (void)maxSilence;
  pthread_mutex_lock(&mu);
  if (take_fail(__func__)) RETURN(-1);
  GUARD_STARTED();
  if (maxMember < 2) RETURN(fail(C_ERROR_INVALID_PARAMETER, "a conference needs room for 2 members"));
  for (int g = 0; g < MAX_GROUPS; g++) {
    if (!groups[g]) { groups[g] = maxMember; RETURN(g); }
  }
  RETURN(fail(C_ERROR_RESOURCE_USEUP, "no free conference group"));
}
EXPORT int SsmFreeConfGroup(int g) {
  pthread_mutex_lock(&mu);
  GUARD_STARTED();
  if (g < 0 || g >= MAX_GROUPS || !groups[g]) RETURN(fail(C_ERROR_INVALID_PARAMETER, "no conference group %d", g));
  for (int c = 0; c < nch; c++) if (chs[c].confGrp == g) RETURN(fail(C_ERROR_OP_FAILURE, "conference group %d still has members", g));
  groups[g] = 0;
  RETURN(0);
}
EXPORT int SsmJoinConfGroup(int g, int ch, WORD mode, int volume, BOOL create, BOOL exitOther) {
  (void)mode; (void)volume; (void)create;
  ENTER(ch);
  GUARD_OK(ch);
  if (g < 0 || g >= MAX_GROUPS || !groups[g]) RETURN(fail(C_ERROR_INVALID_PARAMETER, "no conference group %d", g));
  if (chs[ch].confGrp >= 0 && chs[ch].confGrp != g && !exitOther)
    RETURN(fail(C_ERROR_OP_FAILURE, "channel %d is already in conference group %d", ch, chs[ch].confGrp));
  int members = 0;
  for (int c = 0; c < nch; c++) if (chs[c].confGrp == g) members++;
  if (members >= groups[g]) RETURN(fail(C_ERROR_RESOURCE_USEUP, "conference group %d is full", g));
  chs[ch].confGrp = g;
  RETURN(0);
}
EXPORT int SsmExitConfGroup(int ch, BOOL freeGroup) {
  ENTER(ch);
  int g = chs[ch].confGrp;
  if (g < 0) RETURN(fail(C_ERROR_OP_FAILURE, "channel %d is in no conference", ch));
  chs[ch].confGrp = -1;
  if (freeGroup) {
    int left = 0;
    for (int c = 0; c < nch; c++) if (chs[c].confGrp == g) left++;
    if (!left) groups[g] = 0;
  }
  RETURN(0);
}

#endif

/* ----------------------------------------------------------------------------- stations */

EXPORT int SsmGetHookState(int ch) { ENTER(ch); RETURN(chs[ch].hook); }
EXPORT int SsmSetASDT(int ch, BOOL on) { (void)on; ENTER(ch); RETURN(0); }
EXPORT int SsmSendTone(int ch, int type) { (void)type; ENTER(ch); RETURN(0); }
EXPORT int SsmStopSendTone(int ch) { ENTER(ch); RETURN(0); }
static int start_ring(int ch, const char *cid) {
  Ch *k = &chs[ch];
  if (k->type != USER_CH) return fail(C_ERROR_UNSUPPORTED_OP, "channel %d is not a station", ch);
  if (k->hook) return fail(C_ERROR_OP_FAILURE, "station %d is off-hook", ch);
  if (k->state != S_CALL_STANDBY) return fail(C_ERROR_OP_FAILURE, "station %d is busy (state %d)", ch, k->state);
  snprintf(k->ringCid, sizeof k->ringCid, "%s", cid ? cid : "");
  k->rxDtmf[0] = 0;
  new_call(ch);
  k->outbound = 1;
  set_state(ch, S_CALL_SENDRING);
  return 0;
}
EXPORT int SsmStartRing(int ch) { ENTER(ch); GUARD_OK(ch); RETURN(start_ring(ch, "")); }
EXPORT int SsmStartRingWithCIDStr(int ch, LPSTR cid, DWORD len, DWORD delay) {
  (void)len; (void)delay;
  ENTER(ch);
  GUARD_OK(ch);
  RETURN(start_ring(ch, cid));
}
EXPORT int SsmStopRing(int ch) {
  ENTER(ch);
  if (chs[ch].state == S_CALL_SENDRING) {
    end_call(ch, FAKE_CALL_BOARD_RELEASED);
    set_state(ch, S_CALL_STANDBY);
  }
  RETURN(0);
}

/* ----------------------------------------------------------------------------- fax (minimal) */

EXPORT int SsmFaxStartSend(int ch, LPCSTR file) {
  ENTER(ch);
  if (chs[ch].type != FAX_CH && chs[ch].type != SOFTFAX_CH) RETURN(fail(C_ERROR_UNSUPPORTED_OP, "channel %d is not a fax channel", ch));
  FILE *f = file ? fopen(file, "rb") : NULL;
  if (!f) RETURN(fail(C_ERROR_FAX_NOFILE, "cannot open %s", file ? file : "(null)"));
  fclose(f);
  RETURN(fail(C_ERROR_UNSUPPORTED_OP, "the fake library does not simulate T.30"));
}
EXPORT int SsmFaxStartReceive(int ch, LPCSTR file) { (void)file; ENTER(ch); RETURN(fail(C_ERROR_UNSUPPORTED_OP, "the fake library does not simulate T.30")); }
EXPORT int SsmFaxStop(int ch) { ENTER(ch); RETURN(0); }

/* ----------------------------------------------------------------------------- time */

static long long channel_due(int c) {
  long long d = NO_DUE;
  Ch *k = &chs[c];
  if (k->playing && (d == NO_DUE || k->playDue < d)) d = k->playDue;
  if (k->txing && (d == NO_DUE || k->txDue < d)) d = k->txDue;
  if (k->dialStep && (d == NO_DUE || k->dialDue < d)) d = k->dialDue;
  return d;
}

static void fire(int c) {
  Ch *k = &chs[c];
  if (k->dialStep && k->dialDue <= now_ms) { dial_step(c); return; }
  if (k->playing && k->playDue <= now_ms) { stop_play(c, PLAYEND_COMPLETED); return; }
  if (k->txing && k->txDue <= now_ms) { k->txing = 0; k->txDue = NO_DUE; emit(E_PROC_SendDTMF, c, 0); return; }
}

EXPORT int FakeShp_Advance(int ms) {
  pthread_mutex_lock(&mu);
  long long target = now_ms + (ms > 0 ? ms : 0);
  int fired = 0;
  for (;;) {
    long long best = NO_DUE; int who = -1;
    for (int c = 0; c < nch; c++) {
      long long d = channel_due(c);
      if (d != NO_DUE && d <= target && (best == NO_DUE || d < best)) { best = d; who = c; }
    }
    if (who < 0) break;
    if (best > now_ms) now_ms = best;
    fire(who);
    fired++;
  }
  now_ms = target;
  RETURN(fired);
}

EXPORT int FakeShp_NextDueIn(void) {
  pthread_mutex_lock(&mu);
  long long best = NO_DUE;
  for (int c = 0; c < nch; c++) {
    long long d = channel_due(c);
    if (d != NO_DUE && (best == NO_DUE || d < best)) best = d;
  }
  RETURN(best == NO_DUE ? -1 : (int)(best > now_ms ? best - now_ms : 0));
}
EXPORT int FakeShp_Now(void) { return (int)now_ms; }

/* ----------------------------------------------------------------------------- test control */

EXPORT int FakeShp_Reset(void) {
  pthread_mutex_lock(&mu);
  nsubs = 0;
  failCode = -1;
  ncalls = 0;
  RETURN(0);
}

EXPORT int FakeShp_InjectCall(int ch, const char *caller, const char *called, int ka, int kd) {
  pthread_mutex_lock(&mu);
  GUARD_STARTED();
  if (ch < 0) {
    for (int c = 0; c < nch; c++) {
      if (is_trunk(chs[c].type) && chs[c].state == S_CALL_STANDBY && !chs[c].failed) { ch = c; break; }
    }
    if (ch < 0) RETURN(fail(C_ERROR_IdleChNotFound, "no idle trunk for the call"));
  }
  GUARD_CH(ch);
  Ch *k = &chs[ch];
  if (!is_trunk(k->type) || k->state != S_CALL_STANDBY || k->failed)
    RETURN(fail(C_ERROR_OP_FAILURE, "channel %d cannot take a call (type %d, state %d)", ch, k->type, k->state));
  snprintf(k->callerId, sizeof k->callerId, "%s", caller ? caller : "");
  snprintf(k->phoNum, sizeof k->phoNum, "%s", called ? called : "");
  k->ka = ka; k->kd = kd; k->kb = 0; k->pending = 0; k->outbound = 0; k->rxDtmf[0] = 0; k->txSent[0] = 0;
  int id = new_call(ch);
  if (k->type == ANALOG_CH) {
    k->phoNum[0] = 0; /* an analog line delivers no called number */
    emit(E_CHG_RingFlag, ch, 1);
    emit(E_CHG_RingCount, ch, 1);
    if (k->callerId[0]) emit(E_RCV_CALLERID, ch, 0);
    set_state(ch, S_CALL_RINGING);
  } else {
    set_state(ch, S_CALL_Ss1InWaitPhoNum);
    for (size_t i = 1; i <= strlen(k->phoNum); i++) emit(E_CHG_RxPhoNumBuf, ch, (DWORD)i);
    set_state(ch, S_CALL_Ss1InWaitCallerID);
    set_state(ch, S_CALL_Ss1InWaitKD);
    if (k->autoKb) { k->kb = 1; set_state(ch, S_CALL_RINGING); }
    else pend(ch, PEND_WaitBckStpMsg);
  }
  RETURN(id);
}

EXPORT int FakeShp_PressDigits(int id, const char *digits) {
  pthread_mutex_lock(&mu);
  Call *call = call_of(id);
  if (!call || !digits) RETURN(fail(C_ERROR_INVALID_PARAMETER, "no call %d", id));
  int c = call->ch;
  if (call->state != FAKE_CALL_CONNECTED) RETURN(fail(C_ERROR_OP_FAILURE, "call %d is not connected", id));
  for (const char *p = digits; *p; p++) {
    if (!strchr("0123456789*#ABCD", *p)) RETURN(fail(C_ERROR_INVALID_PARAMETER, "'%c' is not a DTMF digit", *p));
    if (!chs[c].rxDtmfOn) continue;
    size_t n = strlen(chs[c].rxDtmf);
    if (n + 1 < sizeof chs[c].rxDtmf) { chs[c].rxDtmf[n] = *p; chs[c].rxDtmf[n + 1] = 0; }
    emit(E_CHG_RcvDTMF, c, (DWORD)(unsigned char)*p);
    if (chs[c].dtmfStopPlay) stop_play(c, PLAYEND_DTMF);
  }
  RETURN(0);
}

EXPORT int FakeShp_FarHangup(int id) {
  pthread_mutex_lock(&mu);
  Call *call = call_of(id);
  if (!call) RETURN(fail(C_ERROR_INVALID_PARAMETER, "no call %d", id));
  if (call->state != FAKE_CALL_SETUP && call->state != FAKE_CALL_CONNECTED) RETURN(0);
  int c = call->ch;
  Ch *k = &chs[c];
  if (k->callId != id) { call->state = FAKE_CALL_FAR_RELEASED; RETURN(0); }
  stop_play(c, PLAYEND_HANGUP);
  stop_record(c, RECEND_HANGUP);
  int talking = call->state == FAKE_CALL_CONNECTED;
  end_call(c, FAKE_CALL_FAR_RELEASED);
  if (k->type == USER_CH) RETURN(0); /* a station user hangs up with FakeShp_StationOnHook */
  clear_ops(c);
  if (talking) pend(c, k->outbound ? (k->type == ANALOG_CH ? ANALOGOUT_TALKING_REMOTE_HANGUPED : PEND_CalleeHangupOnTalking) : PEND_RemoteHangupOnTalking);
  else pend(c, k->outbound ? PEND_CalleeHangupOnWaitRemotePickUp : PEND_RemoteHangupOnRinging);
  RETURN(0);
}

EXPORT int FakeShp_CallState(int id) { pthread_mutex_lock(&mu); Call *k = call_of(id); RETURN(k ? k->state : -1); }
EXPORT int FakeShp_CallChannel(int id) { pthread_mutex_lock(&mu); Call *k = call_of(id); RETURN(k ? k->ch : -1); }
EXPORT int FakeShp_ChannelCall(int ch) { pthread_mutex_lock(&mu); GUARD_STARTED(); GUARD_CH(ch); RETURN(chs[ch].callId); }
EXPORT int FakeShp_TalkPeer(int ch) { pthread_mutex_lock(&mu); GUARD_STARTED(); GUARD_CH(ch); RETURN(chs[ch].talkPeer); }
EXPORT int FakeShp_ConfGroup(int ch) { pthread_mutex_lock(&mu); GUARD_STARTED(); GUARD_CH(ch); RETURN(chs[ch].confGrp); }
EXPORT int FakeShp_QueuedEvents(void) { pthread_mutex_lock(&mu); RETURN((int)qlen); }
EXPORT const char *FakeShp_SentDigits(int ch) { return ch >= 0 && ch < nch ? chs[ch].txSent : ""; }
EXPORT const char *FakeShp_RingCallerId(int ch) { return ch >= 0 && ch < nch ? chs[ch].ringCid : ""; }

EXPORT int FakeShp_SetSubscriber(const char *number, int behaviour, int rings) {
  pthread_mutex_lock(&mu);
  if (!number || strlen(number) >= sizeof subs[0].number) RETURN(fail(C_ERROR_INVALID_PARAMETER, "bad number"));
  for (int i = 0; i < nsubs; i++) {
    if (!strcmp(subs[i].number, number)) { subs[i].behaviour = behaviour; subs[i].rings = rings; RETURN(0); }
  }
  if (nsubs == 256) RETURN(fail(C_ERROR_RESOURCE_USEUP, "too many subscribers"));
  strcpy(subs[nsubs].number, number);
  subs[nsubs].behaviour = behaviour;
  subs[nsubs].rings = rings;
  nsubs++;
  RETURN(0);
}

EXPORT int FakeShp_FailChannel(int ch) {
  pthread_mutex_lock(&mu);
  GUARD_STARTED();
  GUARD_CH(ch);
  Ch *k = &chs[ch];
  k->playing = 0; k->playDue = NO_DUE;
  if (k->recording) { k->recording = 0; write_wav(k->recPath, k->recCodec, now_ms - k->recStart); }
  clear_ops(ch);
  unlink_peer(ch);
  if (k->callId) end_call(ch, FAKE_CALL_FAULT);
  k->failed = 1;
  set_state(ch, S_CALL_UNAVAILABLE);
  RETURN(0);
}
EXPORT int FakeShp_RecoverChannel(int ch) {
  pthread_mutex_lock(&mu);
  GUARD_STARTED();
  GUARD_CH(ch);
  if (!chs[ch].failed) RETURN(0);
  chs[ch].failed = 0;
  chs[ch].pending = 0;
  set_state(ch, S_CALL_STANDBY);
  RETURN(0);
}

EXPORT int FakeShp_StationOffHook(int ch) {
  pthread_mutex_lock(&mu);
  GUARD_STARTED();
  GUARD_CH(ch);
  Ch *k = &chs[ch];
  if (k->type != USER_CH) RETURN(fail(C_ERROR_UNSUPPORTED_OP, "channel %d is not a station", ch));
  if (k->hook) RETURN(fail(C_ERROR_OP_FAILURE, "station %d is already off-hook", ch));
  k->hook = 1;
  emit(E_CHG_HookState, ch, 1);
  if (k->state == S_CALL_SENDRING) {
    Call *call = call_of(k->callId);
    if (call) call->state = FAKE_CALL_CONNECTED;
    set_state(ch, S_CALL_PICKUPED);
    RETURN(k->callId);
  }
  k->rxDtmf[0] = 0;
  k->outbound = 0;
  int id = new_call(ch);
  calls[id - 1].state = FAKE_CALL_CONNECTED;
  set_state(ch, S_CALL_PICKUPED);
  RETURN(id);
}
EXPORT int FakeShp_StationOnHook(int ch) {
  pthread_mutex_lock(&mu);
  GUARD_STARTED();
  GUARD_CH(ch);
  Ch *k = &chs[ch];
  if (k->type != USER_CH || !k->hook) RETURN(0);
  k->hook = 0;
  stop_play(ch, PLAYEND_HANGUP);
  stop_record(ch, RECEND_HANGUP);
  clear_ops(ch);
  if (k->callId) end_call(ch, FAKE_CALL_FAR_RELEASED);
  emit(E_CHG_HookState, ch, 0);
  if (k->state != S_CALL_STANDBY) set_state(ch, S_CALL_STANDBY);
  RETURN(0);
}

EXPORT int FakeShp_FailNext(const char *fn, int code) {
  pthread_mutex_lock(&mu);
  snprintf(failFn, sizeof failFn, "%s", fn ? fn : "");
  failCode = code;
  RETURN(0);
}
