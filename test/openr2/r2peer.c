/*
 * r2peer: one OpenR2 channel (Debian libopenr2, China variant "CN") driven over a socket
 * instead of a DAHDI device, for interoperation tests of Hotline's China No.1 engine.
 *
 * libopenr2 1.3.3 has no custom-I/O hook: every channel access is an ioctl/read/write on the
 * DAHDI channel fd, and its timers use gettimeofday(). This program defines those four libc
 * functions itself (ELF symbol interposition): calls on the fake channel fd are served from
 * the socket records, every other fd goes to glibc (dlsym RTLD_NEXT), and the clock is
 * virtual (20 ms per record), so runs are deterministic and faster than real time.
 * See research/signaling-dsp.md §2.2.
 *
 * Wire: lockstep records of 161 bytes on fd 3 (a socketpair): byte 0 = sender's ABCD nibble,
 * bytes 1..160 = 160 A-law samples. The peer (the clock master) writes first; r2peer reads a
 * record, runs OpenR2 for one 20 ms tick, then writes its own record. EOF ends the run.
 *
 * Usage:
 *   r2peer forward  <dnis> <ani> [hangup_after_answer_ms]
 *   r2peer backward accept|busy|vacant|congestion [answer_after_ms] [hangup_after_answer_ms] [max_ani] [max_dnis]
 * Events go to stdout, one per line ("offered ani=… dnis=… category=…", "accepted", "answered",
 * "disconnect cause=…", "end", "protocol-error …"); OpenR2's own log goes to stderr.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>
#include <openr2.h>

/* DAHDI ioctl numbers (x86_64, from dahdi/user.h) */
#define DAHDI_CHANNO 0x8004DA22UL
#define DAHDI_GET_PARAMS 0xC088DA05UL
#define DAHDI_GET_BUFINFO 0x8018DA1BUL
#define DAHDI_SET_BUFINFO 0x4018DA1BUL
#define DAHDI_SETGAINS 0x4204DA10UL
#define DAHDI_SETLAW 0x4004DA27UL
#define DAHDI_ECHOCANCEL 0x4004DA21UL
#define DAHDI_SETLINEAR 0x4004DA28UL
#define DAHDI_FLUSH 0x4004DA03UL
#define DAHDI_SETTXBITS 0x4004DA2BUL
#define DAHDI_GETRXBITS 0x8004DA2BUL
#define DAHDI_GETEVENT 0x8004DA08UL
#define DAHDI_IOMUX 0xC004DA09UL
#define DAHDI_SIG_CAS (1 << 15)
#define DAHDI_LAW_ALAW 2
#define DAHDI_EVENT_BITSCHANGED 13
#define DAHDI_IOMUX_READ 1
#define DAHDI_IOMUX_WRITE 2
#define DAHDI_IOMUX_SIGEVENT 8
#define DAHDI_FLUSH_WRITE 2

#define FRAME 160
#define WIRE 3

static int chan_fd = -1;
static int tx_bits = 0xB, rx_bits = 0xB;
static int event_pending = 0;
static unsigned char rx_frame[FRAME];
static int rx_ready = 0;
static unsigned char tx_frame[FRAME];
static int tx_fill = 0;
static long long ticks = 0;

static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_ioctl)(int, unsigned long, ...);

static void resolve(void) {
  if (!real_read) {
    real_read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
  }
}

int gettimeofday(struct timeval *tv, void *tz) {
  (void)tz;
  long long us = 1767196800LL * 1000000LL + ticks * 20000LL;
  tv->tv_sec = (time_t)(us / 1000000LL);
  tv->tv_usec = (suseconds_t)(us % 1000000LL);
  return 0;
}

ssize_t read(int fd, void *buf, size_t n) {
  resolve();
  if (fd != chan_fd || chan_fd < 0) return real_read(fd, buf, n);
  if (!rx_ready) {
    errno = EAGAIN;
    return -1;
  }
  size_t m = n < FRAME ? n : FRAME;
  memcpy(buf, rx_frame, m);
  rx_ready = 0;
  return (ssize_t)m;
}

ssize_t write(int fd, const void *buf, size_t n) {
  resolve();
  if (fd != chan_fd || chan_fd < 0) return real_write(fd, buf, n);
  size_t room = (size_t)(FRAME - tx_fill);
  size_t m = n < room ? n : room;
  memcpy(tx_frame + tx_fill, buf, m);
  tx_fill += (int)m;
  return (ssize_t)n;
}

int ioctl(int fd, unsigned long req, ...) {
  va_list ap;
  va_start(ap, req);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  resolve();
  if (fd != chan_fd || chan_fd < 0) return real_ioctl(fd, req, arg);
  int *ip = (int *)arg;
  switch (req) {
  case DAHDI_CHANNO: *ip = 1; return 0;
  case DAHDI_GET_PARAMS: {
    /* struct dahdi_params (136 bytes): channo, spanno, chanpos, sigtype, sigcap, rxisoffhook,
       rxbits, txbits, txhooksig, rxhooksig, curlaw, idlebits, name[40], … */
    memset(arg, 0, 136);
    ip[0] = 1;
    ip[3] = DAHDI_SIG_CAS;
    ip[10] = DAHDI_LAW_ALAW;
    return 0;
  }
  case DAHDI_GET_BUFINFO: memset(arg, 0, 24); return 0;
  case DAHDI_SET_BUFINFO: case DAHDI_SETGAINS: case DAHDI_SETLAW: case DAHDI_ECHOCANCEL: case DAHDI_SETLINEAR:
    return 0;
  case DAHDI_FLUSH:
    if (ip && (*ip & DAHDI_FLUSH_WRITE)) tx_fill = 0;
    return 0;
  case DAHDI_SETTXBITS: tx_bits = *ip & 0xF; return 0;
  case DAHDI_GETRXBITS: *ip = rx_bits; return 0;
  case DAHDI_GETEVENT:
    *ip = event_pending ? DAHDI_EVENT_BITSCHANGED : 0;
    event_pending = 0;
    return 0;
  case DAHDI_IOMUX: {
    int want = *ip, out = 0;
    if ((want & DAHDI_IOMUX_SIGEVENT) && event_pending) out |= DAHDI_IOMUX_SIGEVENT;
    if ((want & DAHDI_IOMUX_READ) && rx_ready) out |= DAHDI_IOMUX_READ;
    if ((want & DAHDI_IOMUX_WRITE) && tx_fill < FRAME) out |= DAHDI_IOMUX_WRITE;
    *ip = out;
    return 0;
  }
  default:
    fprintf(stderr, "r2peer: unexpected ioctl 0x%lx\n", req);
    errno = EINVAL;
    return -1;
  }
}

/* ------------------------------------------------------------------------------- scenario */

static openr2_chan_t *chan;
static int role_forward;
static const char *accept_mode = "accept";
static long answer_after = 500, hangup_after = -1;
static long long answer_due = -1, hangup_due = -1;
static int in_call = 0;

static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
}

static void on_call_init(openr2_chan_t *c) { (void)c; say("init"); }
static void on_call_offered(openr2_chan_t *c, const char *ani, const char *dnis, openr2_calling_party_category_t cat) {
  say("offered ani=%s dnis=%s category=%s", ani ? ani : "", dnis ? dnis : "", openr2_proto_get_category_string(cat));
  if (!strcmp(accept_mode, "busy")) openr2_chan_disconnect_call(c, OR2_CAUSE_BUSY_NUMBER);
  else if (!strcmp(accept_mode, "vacant")) openr2_chan_disconnect_call(c, OR2_CAUSE_UNALLOCATED_NUMBER);
  else if (!strcmp(accept_mode, "congestion")) openr2_chan_disconnect_call(c, OR2_CAUSE_NETWORK_CONGESTION);
  else openr2_chan_accept_call(c, OR2_CALL_WITH_CHARGE);
}
static void on_call_accepted(openr2_chan_t *c, openr2_call_mode_t mode) {
  (void)c; (void)mode;
  say("accepted");
  in_call = 1;
  if (!role_forward && answer_after >= 0) answer_due = ticks + answer_after / 20;
}
static void on_call_answered(openr2_chan_t *c) {
  (void)c;
  say("answered");
  if (hangup_after >= 0) hangup_due = ticks + hangup_after / 20;
}
static void on_call_disconnect(openr2_chan_t *c, openr2_call_disconnect_cause_t cause) {
  say("disconnect cause=%s", openr2_proto_get_disconnect_string(cause));
  openr2_chan_disconnect_call(c, OR2_CAUSE_NORMAL_CLEARING);
}
static void on_call_end(openr2_chan_t *c) { (void)c; in_call = 0; say("end"); }
static void on_call_read(openr2_chan_t *c, const unsigned char *buf, int len) { (void)c; (void)buf; (void)len; }
static void on_os_error(openr2_chan_t *c, int err) { (void)c; say("os-error %d", err); }
static void on_hardware_alarm(openr2_chan_t *c, int alarm) { (void)c; say("alarm %d", alarm); }
static void on_protocol_error(openr2_chan_t *c, openr2_protocol_error_t e) {
  (void)c;
  say("protocol-error %s", openr2_proto_get_error(e));
}
static void on_line_blocked(openr2_chan_t *c) { (void)c; say("line-blocked"); }
static void on_line_idle(openr2_chan_t *c) { (void)c; say("line-idle"); }
static void on_context_log(openr2_context_t *ctx, openr2_log_level_t l, const char *fmt, va_list ap) {
  (void)ctx; (void)l;
  vfprintf(stderr, fmt, ap);
}
static void chan_log(openr2_chan_t *c, openr2_log_level_t l, const char *fmt, va_list ap) {
  (void)c; (void)l;
  fprintf(stderr, "[%lld ms] ", ticks * 20);
  vfprintf(stderr, fmt, ap);
}
static int on_dnis_digit(openr2_chan_t *c, char d) { (void)c; (void)d; return 1; }
static void on_ani_digit(openr2_chan_t *c, char d) { (void)c; (void)d; }
static void on_billing(openr2_chan_t *c) { (void)c; }

static int read_full(int fd, unsigned char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = real_read(fd, buf + got, n - got);
    if (r == 0) return 0;
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    got += (size_t)r;
  }
  return 1;
}

static int write_full(int fd, const unsigned char *buf, size_t n) {
  size_t put = 0;
  while (put < n) {
    ssize_t w = real_write(fd, buf + put, n - put);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    put += (size_t)w;
  }
  return 1;
}

int main(int argc, char **argv) {
  resolve();
  if (argc < 3) {
    fprintf(stderr, "usage: r2peer forward <dnis> <ani> [hangup_ms] | backward <mode> [answer_ms] [hangup_ms] [max_ani] [max_dnis]\n");
    return 2;
  }
  role_forward = !strcmp(argv[1], "forward");
  int max_ani = 10, max_dnis = 4;
  if (role_forward) {
    if (argc > 4) hangup_after = atol(argv[4]);
  } else {
    accept_mode = argv[2];
    if (argc > 3) answer_after = atol(argv[3]);
    if (argc > 4) hangup_after = atol(argv[4]);
    if (argc > 5) max_ani = atoi(argv[5]);
    if (argc > 6) max_dnis = atoi(argv[6]);
  }
  static openr2_event_interface_t events;
  events.on_call_init = on_call_init;
  events.on_call_offered = on_call_offered;
  events.on_call_accepted = on_call_accepted;
  events.on_call_answered = on_call_answered;
  events.on_call_disconnect = on_call_disconnect;
  events.on_call_end = on_call_end;
  events.on_call_read = on_call_read;
  events.on_hardware_alarm = on_hardware_alarm;
  events.on_os_error = on_os_error;
  events.on_protocol_error = on_protocol_error;
  events.on_line_blocked = on_line_blocked;
  events.on_line_idle = on_line_idle;
  events.on_context_log = on_context_log;
  events.on_dnis_digit_received = on_dnis_digit;
  events.on_ani_digit_received = on_ani_digit;
  events.on_billing_pulse_received = on_billing;

  openr2_context_t *ctx = openr2_context_new(NULL, &events, NULL, OR2_VAR_CHINA, max_ani, max_dnis);
  if (!ctx) {
    fprintf(stderr, "r2peer: openr2_context_new failed\n");
    return 1;
  }
  openr2_context_set_log_level(ctx, OR2_LOG_ALL);
  chan_fd = open("/dev/null", O_RDWR);
  chan = openr2_chan_new_from_fd(ctx, chan_fd, NULL, NULL);
  if (!chan) {
    fprintf(stderr, "r2peer: openr2_chan_new_from_fd failed: %s\n", openr2_context_error_string(openr2_context_get_last_error(ctx)));
    return 1;
  }
  openr2_chan_set_logging_func(chan, chan_log);
  openr2_chan_set_log_level(chan, OR2_LOG_ALL);
  openr2_chan_set_idle(chan);
  say("ready");

  unsigned char rec[FRAME + 1];
  int first = 1;
  for (;;) {
    int r = read_full(WIRE, rec, sizeof rec);
    if (r <= 0) break;
    ticks++;
    int bits = rec[0] & 0xF;
    if (bits != rx_bits) {
      rx_bits = bits;
      event_pending = 1;
    }
    memcpy(rx_frame, rec + 1, FRAME);
    rx_ready = 1;
    tx_fill = 0;
    if (first) {
      /* learn the far end's initial bits: cas_read starts at 0 (= SEIZE) */
      openr2_chan_handle_cas(chan);
      event_pending = 0;
      first = 0;
      if (role_forward) {
        if (openr2_chan_make_call(chan, argv[3], argv[2], OR2_CALLING_PARTY_CATEGORY_NATIONAL_SUBSCRIBER)) say("make-call-failed");
      }
    }
    if (answer_due >= 0 && ticks >= answer_due) {
      answer_due = -1;
      openr2_chan_answer_call(chan);
      say("answer-sent");
      /* OpenR2 calls on_call_answered on the calling side only */
      if (hangup_after >= 0) hangup_due = ticks + hangup_after / 20;
    }
    if (hangup_due >= 0 && ticks >= hangup_due) {
      hangup_due = -1;
      say("hangup");
      openr2_chan_disconnect_call(chan, OR2_CAUSE_NORMAL_CLEARING);
    }
    openr2_chan_process_event(chan);
    unsigned char out[FRAME + 1];
    out[0] = (unsigned char)tx_bits;
    memcpy(out + 1, tx_frame, (size_t)tx_fill);
    memset(out + 1 + tx_fill, 0xD5, (size_t)(FRAME - tx_fill));
    if (write_full(WIRE, out, sizeof out) < 0) break;
  }
  (void)in_call;
  openr2_context_delete(ctx); /* frees the channel too: never openr2_chan_delete() first (double free) */
  say("exit");
  return 0;
}
