/*
 * Test-control entry points of the fake libshpa3.so (not part of the Synway API). The addon
 * resolves them as optional symbols; they exist only in the fake, so production code cannot
 * call them by accident against a real library.
 *
 * Time: the fake has a manual clock. Nothing timed (ring-back, play end, DTMF sending) happens
 * until FakeShp_Advance moves it. Every control call queues its events synchronously, in the
 * order a real board raises them, before it returns.
 */
#ifndef HOTLINE_FAKE_CONTROL_H
#define HOTLINE_FAKE_CONTROL_H

#ifdef __cplusplus
extern "C" {
#endif

/* Outbound behaviours of a dialled number (FakeShp_SetSubscriber). */
enum {
  FAKE_ANSWER = 0, FAKE_BUSY = 1, FAKE_NOANSWER = 2, FAKE_UNALLOCATED = 3, FAKE_CONGESTION = 4, FAKE_NODIALTONE = 5
};

/* Far-party states (FakeShp_CallState). */
enum {
  FAKE_CALL_SETUP = 0, FAKE_CALL_CONNECTED = 1, FAKE_CALL_FAR_RELEASED = 2, FAKE_CALL_BOARD_RELEASED = 3,
  FAKE_CALL_FAULT = 4, FAKE_CALL_REJECTED = 5
};

int FakeShp_Reset(void);
int FakeShp_Advance(int ms);
int FakeShp_NextDueIn(void);
int FakeShp_Now(void);
int FakeShp_InjectCall(int ch, const char *caller, const char *called, int ka, int kd);
int FakeShp_PressDigits(int callId, const char *digits);
int FakeShp_FarHangup(int callId);
int FakeShp_CallState(int callId);
int FakeShp_CallChannel(int callId);
int FakeShp_ChannelCall(int ch);
int FakeShp_SetSubscriber(const char *number, int behaviour, int rings);
int FakeShp_FailChannel(int ch);
int FakeShp_RecoverChannel(int ch);
int FakeShp_StationOffHook(int ch);
int FakeShp_StationOnHook(int ch);
int FakeShp_TalkPeer(int ch);
int FakeShp_ConfGroup(int ch);
int FakeShp_FailNext(const char *function, int errorCode);
int FakeShp_QueuedEvents(void);
const char *FakeShp_SentDigits(int ch);
const char *FakeShp_RingCallerId(int ch);

#ifdef __cplusplus
}
#endif

#endif
