/*
 * The subset of Synway's shpa3api.h (SynCTI / SHP_A3) that Hotline uses, transcribed from the
 * public facts in research/vendor-apis.md §1 (newest English header, "SYN-H3"). Types follow
 * that header's non-Windows definitions: DWORD/ULONG are 4-byte `unsigned int`, LONG is `int`,
 * and the event structures are wrapped in `#pragma pack(push, 8)`. WINAPI/CALLBACK are empty on
 * Linux (plain cdecl).
 *
 * Both the addon (which only uses the typedefs, resolving functions with dlsym) and the fake
 * libshpa3.so (which defines the functions) include this file, so they cannot disagree.
 */
#ifndef HOTLINE_SHPA3API_H
#define HOTLINE_SHPA3API_H

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned char BYTE, UCHAR;
typedef unsigned short WORD;
typedef unsigned int DWORD, ULONG;
typedef int LONG, BOOL;
typedef long long LONGLONG;
typedef void *PVOID, *LPVOID;
typedef const char *LPCSTR;
typedef char *LPSTR;
typedef WORD *PWORD;
typedef BYTE *LPBYTE;

#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif

#pragma pack(push, 8)
typedef struct { WORD wEventCode; int nReference; DWORD dwParam; } MESSAGE_INFO, *PMESSAGE_INFO;
typedef struct { DWORD dwWorkMode; LPVOID lpHandlerParam; DWORD dwOutCondition; DWORD dwOutParamVal; DWORD dwUser; } EVENT_SET_INFO, *PEVENT_SET_INFO;
typedef struct {
  WORD wEventCode; int nReference; DWORD dwParam; DWORD dwUser; DWORD dwSubReason; DWORD dwXtraInfo;
  PVOID pvBuffer; DWORD dwBufferLength; DWORD dwDataLength; DWORD dwEventFlag; DWORD dwReserved1; LONGLONG llReserved2;
} SSM_EVENT, *PSSM_EVENT;
typedef struct { BYTE ucMajor; BYTE ucMinor; WORD usInternal; WORD usBuild; BYTE ucRelease; BYTE ucFeature; } SSM_VERSION, *PSSM_VERSION;
typedef struct { int nStateEx; DWORD dwBytesProcessed; DWORD dwBytesRecorded; DWORD dwBytesPlayed; } STATEEX, *PSTATEEX;
#pragma pack(pop)

/* Event modes (SsmSetEvent EVENT_SET_INFO.dwWorkMode). */
enum { NO_EVENT = 0, EVENT_POLLING = 1, EVENT_CALLBACK = 2, EVENT_MESSAGE = 3, EVENT_POLLINGA = 4, EVENT_CALLBACKA = 5 };

/* Error codes (SsmGetLastErrCode). */
enum {
  C_ERROR_INIT_FAILURE = 0, C_ERROR_SSMAPI_UNOPENED = 1, C_ERROR_INVALID_APPCH = 2, C_ERROR_UNSUPPORTED_OP = 3,
  C_ERROR_INDEX_UNOPENED = 4, C_ERROR_INVALID_BUSCH = 5, C_ERROR_OP_UNOPENED = 6, C_ERROR_INVALID_FORMAT = 7,
  C_ERROR_INVALID_PARAMETER = 8, C_ERROR_FILEOP_FAILURE = 9, C_ERROR_MEMORY_FAILURE = 10, C_ERROR_RESOURCE_USEUP = 11,
  C_ERROR_SYSTEM = 12, C_ERROR_IdleChNotFound = 13, C_ERROR_OP_FAILURE = 14, C_ERROR_INVALID_APPSPYCIC = 15,
  C_ERROR_FAX_NOFILE = 16, C_ERROR_VCH_INVALID_SCALE = 17, C_ERROR_DTMF_NOT_SUPPORT = 18,
  C_ERROR_SLAVER_RES_NOT_MATCH = 19, C_ERROR_ALL_RES_USED = 20
};

/* Channel types (SsmGetChType). */
enum { ANALOG_CH = 0, INTER_CH = 1, USER_CH = 2, REC_CH = 3, SS1_CH = 4, FAX_CH = 5, SS7_CH = 6, ISDN_USER_CH = 7, ISDN_NET_CH = 8, SOFTFAX_CH = 9 };

/* Event codes (wEventCode). */
enum {
  E_CHG_FaxChState = 0x04, E_CHG_FaxPages = 0x05, E_PROC_FaxEnd = 0x06, E_CHG_PcmLinkStatus = 0x07,
  E_RCV_CAS = 0x09, E_RCV_R2 = 0x0a, E_PROC_WaitDTMF = 0x0b, E_CHG_RcvDTMF = 0x0c, E_PROC_SendDTMF = 0x0d,
  E_PROC_SendFlash = 0x0e, E_PROC_PlayEnd = 0x0f, E_PROC_PlayFile = 0x10, E_PROC_PlayFileList = 0x11,
  E_PROC_RecordEnd = 0x13, E_CHG_ChState = 0x18, E_PROC_AutoDial = 0x19, E_CHG_RemoteChBlock = 0x1a,
  E_CHG_RemotePCMBlock = 0x1b, E_SYS_ActualPickup = 0x1c, E_CHG_RingFlag = 0x1d, E_CHG_RingCount = 0x1e,
  E_CHG_CIDExBuf = 0x1f, E_CHG_RxPhoNumBuf = 0x20, E_CHG_PolarRvrsCount = 0x21, E_SYS_RemotePickup = 0x22,
  E_CHG_FlashCount = 0x23, E_CHG_HookState = 0x24, E_CHG_ToneAnalyze = 0x25, E_SYS_BargeIn = 0x2e,
  E_SYS_NoSound = 0x2f, E_SYS_TIMEOUT = 0x30, E_RCV_CALLERID = 0x45, E_CHG_AMD = 0x47
};

/* Channel states (SsmGetChState, LOWORD of E_CHG_ChState's dwParam). */
enum {
  S_CALL_STANDBY = 0, S_CALL_PICKUPED = 1, S_CALL_RINGING = 2, S_CALL_TALKING = 3,
  S_CALL_ANALOG_WAITDIALTONE = 4, S_CALL_ANALOG_TXPHONUM = 5, S_CALL_ANALOG_WAITDIALRESULT = 6,
  S_CALL_PENDING = 7, S_CALL_OFFLINE = 8, S_CALL_WAIT_REMOTE_PICKUP = 9, S_CALL_ANALOG_CLEAR = 10,
  S_CALL_UNAVAILABLE = 11, S_CALL_LOCKED = 12, S_CALL_RemoteBlock = 19, S_CALL_LocalBlock = 20,
  S_CALL_Ss1InWaitPhoNum = 30, S_CALL_Ss1InWaitFwdStop = 31, S_CALL_Ss1InWaitCallerID = 32, S_CALL_Ss1InWaitKD = 33,
  S_CALL_Ss1InWaitKDStop = 34, S_CALL_SS1_SAYIDLE = 35, S_CALL_SS1WaitIdleCAS = 36, S_CALL_SS1PhoNumHoldup = 37,
  S_CALL_Ss1InWaitStopSendA3p = 38,
  S_CALL_Ss1OutWaitBwdAck = 40, S_CALL_Ss1OutTxPhoNum = 41, S_CALL_Ss1OutWaitAppendPhoNum = 42,
  S_CALL_Ss1OutTxCallerID = 43, S_CALL_Ss1OutWaitKB = 44, S_CALL_Ss1OutDetectA3p = 45,
  S_CALL_SENDRING = 100
};

/* Pending reasons (SsmGetPendingReason, state S_CALL_PENDING). */
enum {
  ANALOGOUT_NO_DIALTONE = 0, ANALOGOUT_BUSYTONE = 1, ANALOGOUT_ECHO_NOVOICE = 2, ANALOGOUT_NOANSWER = 3,
  ANALOGOUT_TALKING_REMOTE_HANGUPED = 4, ANALOGOUT_NOVOICE = 5, PEND_WaitBckStpMsg = 10, SS1IN_BWD_KB5 = 11,
  PEND_RemoteHangupOnTalking = 12, PEND_AutoDialFailed = 13, PEND_SsxUnusable = 14, PEND_CircuitReset = 15,
  PEND_PcmSyncLos = 16, PEND_CalleeHangupOnTalking = 20, SS1OUT_NOANSWER = 21, SS1OUT_NOBWDACK = 22,
  SS1OUT_DIALING_BWD_HANGUP = 23, SS1OUT_BWD_A5 = 24, SS1OUT_BWD_KB5 = 25, SS1OUT_BWD_KB2 = 26, SS1OUT_BWD_KB3 = 27,
  SS1OUT_BWD_A4 = 28, SS1OUT_BWD_KB4 = 29, PEND_CalleeHangupOnWaitRemotePickUp = 48, PEND_RemoteHangupOnRinging = 54
};

/* AutoDial progress (SsmChkAutoDial, dwParam of E_PROC_AutoDial). */
enum {
  DIAL_STANDBY = 0, DIAL_DIALING = 1, DIAL_ECHOTONE = 2, DIAL_NO_DIALTONE = 3, DIAL_BUSYTONE = 4,
  DIAL_ECHO_NOVOICE = 5, DIAL_NOVOICE = 6, DIAL_VOICE = 7, DIAL_VOICEF1 = 8, DIAL_VOICEF2 = 9, DIAL_NOANSWER = 10,
  DIAL_FAILURE = 11, DIAL_INVALID_PHONUM = 12, DIAL_SESSION_PROCEEDING = 13, DIAL_ISDN_PROGRESS = 14
};

/* AutoDial failure reasons (SsmGetAutoDialFailureReason). */
enum {
  ATDL_NULL = 0, ATDL_Cancel = 1, ATDL_WaitDialAnsTimeout = 2, ATDL_WaitRemotePickupTimeout = 3, ATDL_PcmSyncLos = 4,
  ATDL_SS1WaitOccupyAckTimeout = 40, ATDL_SS1RcvCAS_HANGUP = 41, ATDL_SS1RcvA4 = 42, ATDL_SS1RcvA5 = 43,
  ATDL_SS1RcvKB2 = 50, ATDL_SS1RcvKB3 = 51, ATDL_SS1RcvKB4 = 52, ATDL_SS1RcvKB5 = 53
};

/* E_PROC_PlayEnd / E_PROC_RecordEnd reasons [SYN-OC]. */
enum { PLAYEND_COMPLETED = 1, PLAYEND_DTMF = 2, PLAYEND_BARGEIN = 3, PLAYEND_APPSTOP = 4, PLAYEND_HANGUP = 5 };
enum { RECEND_APPSTOP = 1, RECEND_DTMF = 2, RECEND_HANGUP = 3, RECEND_FULL = 4 };

/* Prototypes (SYN-H3). */
int SsmStartCti(LPCSTR lpSsmCfgFileName, LPCSTR lpIndexCfgFileName);
int SsmCloseCti(void);
int SsmGetLastErrCode(void);
int SsmGetLastErrMsg(char *szErrMsgBuf);
int SsmGetMaxCh(void);
int SsmGetMaxUsableBoard(void);
int SsmGetChType(int ch);
int SsmGetChHdInfo(int ch, int *pnBId, int *pnBCh);
int SsmGetBoardModel(int nBId);
int SsmGetBoardName(int nBId, LPSTR szName);
DWORD SsmGetPciSerialNo(int nBId);
int SsmGetDllVersion(PSSM_VERSION pVersion);
int SsmSetEvent(WORD wEvent, int nReference, BOOL bEnable, PEVENT_SET_INFO pEventSet);
int SsmGetEvent(PMESSAGE_INFO pEvent);
int SsmWaitForEvent(DWORD dwTimeOut, PMESSAGE_INFO pEvent);
int SsmPutUserEvent(WORD wEvent, int nReference, DWORD dwParam);
int SsmGetChState(int ch);
int SsmGetChStateEx(int ch, PSTATEEX pStateEx);
int SsmGetPendingReason(int ch);
int SsmPickup(int ch);
int SsmHangup(int ch);
int SsmGetCallerId(int ch, LPSTR szCallerId);
int SsmGetPhoNumStr(int ch, LPSTR pszPhoNum);
int SsmGetKA(int ch);
int SsmGetKD(int ch);
int SsmSetKA(int ch, BYTE ucKA);
int SsmSetKD(int ch, BYTE ucKD);
int SsmSetKB(int ch, BYTE ucKB);
int SsmEnableAutoSendKB(int ch, BOOL bEnable);
int SsmAutoDial(int ch, LPCSTR szPhoNum);
int SsmChkAutoDial(int ch);
int SsmGetAutoDialFailureReason(int ch);
int SsmSetTxCallerId(int ch, LPCSTR pszTxCallerId);
int SsmPlayFile(int ch, LPCSTR pszFileName, int nFormat, DWORD dwStartPos, DWORD dwLen);
int SsmStopPlayFile(int ch);
int SsmCheckPlay(int ch);
int SsmRecToFile(int ch, LPCSTR pszFileName, int nFormat, DWORD dwStartPos, DWORD dwBytes, DWORD dwTime, int nMask);
int SsmStopRecToFile(int ch);
int SsmCheckRecord(int ch);
int SsmQueryPlayFormat(int ch, int nFormat);
int SsmQueryRecFormat(int ch, int nFormat);
int SsmSetDtmfStopPlay(int ch, BOOL bDspf);
int SsmEnableRxDtmf(int ch, BOOL bRun);
int SsmClearRxDtmfBuf(int ch);
int SsmGetDtmfStr(int ch, LPSTR pszDtmf);
int SsmTxDtmf(int ch, LPCSTR pszDtmf);
int SsmChkTxDtmf(int ch);
int SsmTalkWith(int ch1, int ch2);
int SsmStopTalkWith(int ch1, int ch2);
int SsmCreateConfGroup(int nMaxMember, int nMaxSpeaker, int nMaxSpeaking, int nMaxSilenceTime);
int SsmFreeConfGroup(int nGrpId);
int SsmJoinConfGroup(int nGrpId, int ch, WORD wJoinMode, int nMixerVolume, BOOL bCreateAlways, BOOL bExitGrpAlways);
int SsmExitConfGroup(int ch, BOOL bFreeGrpAlways);
int SsmGetHookState(int ch);
int SsmStartRing(int ch);
int SsmStopRing(int ch);
int SsmStartRingWithCIDStr(int ch, LPSTR pBuf, DWORD dwLen, DWORD dw1stRingOffDelay);
int SsmSetASDT(int ch, BOOL bEnAutoSendDialTone);
int SsmSendTone(int ch, int nToneType);
int SsmStopSendTone(int ch);
int SsmFaxStartSend(int ch, LPCSTR filename);
int SsmFaxStartReceive(int ch, LPCSTR filename);
int SsmFaxStop(int ch);
int SsmFaxCheckEnd(int ch);
int SsmFaxGetPages(int ch);
int SsmFaxSetID(int ch, LPCSTR myid);

#ifdef __cplusplus
}
#endif

#endif
