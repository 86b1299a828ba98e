/* The C structs' layout: every function pointer at its legacy position, on a 64-bit target.
 * Compiled (C11, for _Static_assert) by the ABI test; running it prints one line. */
#include <stddef.h>
#include <stdio.h>

#include "agora_sig.h"

_Static_assert(sizeof(void *) == 8, "a 64-bit target");
_Static_assert(sizeof(size_t) == 8, "a 64-bit size_t");
_Static_assert(offsetof(ICallBackC, onReconnecting) == 0 * sizeof(void *), "ICallBackC.onReconnecting");
_Static_assert(offsetof(ICallBackC, onReconnected) == 1 * sizeof(void *), "ICallBackC.onReconnected");
_Static_assert(offsetof(ICallBackC, onLoginSuccess) == 2 * sizeof(void *), "ICallBackC.onLoginSuccess");
_Static_assert(offsetof(ICallBackC, onLogout) == 3 * sizeof(void *), "ICallBackC.onLogout");
_Static_assert(offsetof(ICallBackC, onLoginFailed) == 4 * sizeof(void *), "ICallBackC.onLoginFailed");
_Static_assert(offsetof(ICallBackC, onChannelJoined) == 5 * sizeof(void *), "ICallBackC.onChannelJoined");
_Static_assert(offsetof(ICallBackC, onChannelJoinFailed) == 6 * sizeof(void *), "ICallBackC.onChannelJoinFailed");
_Static_assert(offsetof(ICallBackC, onChannelLeaved) == 7 * sizeof(void *), "ICallBackC.onChannelLeaved");
_Static_assert(offsetof(ICallBackC, onChannelUserJoined) == 8 * sizeof(void *), "ICallBackC.onChannelUserJoined");
_Static_assert(offsetof(ICallBackC, onChannelUserLeaved) == 9 * sizeof(void *), "ICallBackC.onChannelUserLeaved");
_Static_assert(offsetof(ICallBackC, onChannelUserList) == 10 * sizeof(void *), "ICallBackC.onChannelUserList");
_Static_assert(offsetof(ICallBackC, onChannelQueryUserNumResult) == 11 * sizeof(void *), "ICallBackC.onChannelQueryUserNumResult");
_Static_assert(offsetof(ICallBackC, onChannelQueryUserIsIn) == 12 * sizeof(void *), "ICallBackC.onChannelQueryUserIsIn");
_Static_assert(offsetof(ICallBackC, onChannelAttrUpdated) == 13 * sizeof(void *), "ICallBackC.onChannelAttrUpdated");
_Static_assert(offsetof(ICallBackC, onInviteReceived) == 14 * sizeof(void *), "ICallBackC.onInviteReceived");
_Static_assert(offsetof(ICallBackC, onInviteReceivedByPeer) == 15 * sizeof(void *), "ICallBackC.onInviteReceivedByPeer");
_Static_assert(offsetof(ICallBackC, onInviteAcceptedByPeer) == 16 * sizeof(void *), "ICallBackC.onInviteAcceptedByPeer");
_Static_assert(offsetof(ICallBackC, onInviteRefusedByPeer) == 17 * sizeof(void *), "ICallBackC.onInviteRefusedByPeer");
_Static_assert(offsetof(ICallBackC, onInviteFailed) == 18 * sizeof(void *), "ICallBackC.onInviteFailed");
_Static_assert(offsetof(ICallBackC, onInviteEndByPeer) == 19 * sizeof(void *), "ICallBackC.onInviteEndByPeer");
_Static_assert(offsetof(ICallBackC, onInviteEndByMyself) == 20 * sizeof(void *), "ICallBackC.onInviteEndByMyself");
_Static_assert(offsetof(ICallBackC, onInviteMsg) == 21 * sizeof(void *), "ICallBackC.onInviteMsg");
_Static_assert(offsetof(ICallBackC, onMessageSendError) == 22 * sizeof(void *), "ICallBackC.onMessageSendError");
_Static_assert(offsetof(ICallBackC, onMessageSendProgress) == 23 * sizeof(void *), "ICallBackC.onMessageSendProgress");
_Static_assert(offsetof(ICallBackC, onMessageSendSuccess) == 24 * sizeof(void *), "ICallBackC.onMessageSendSuccess");
_Static_assert(offsetof(ICallBackC, onMessageAppReceived) == 25 * sizeof(void *), "ICallBackC.onMessageAppReceived");
_Static_assert(offsetof(ICallBackC, onMessageInstantReceive) == 26 * sizeof(void *), "ICallBackC.onMessageInstantReceive");
_Static_assert(offsetof(ICallBackC, onMessageChannelReceive) == 27 * sizeof(void *), "ICallBackC.onMessageChannelReceive");
_Static_assert(offsetof(ICallBackC, onLog) == 28 * sizeof(void *), "ICallBackC.onLog");
_Static_assert(offsetof(ICallBackC, onInvokeRet) == 29 * sizeof(void *), "ICallBackC.onInvokeRet");
_Static_assert(offsetof(ICallBackC, onMsg) == 30 * sizeof(void *), "ICallBackC.onMsg");
_Static_assert(offsetof(ICallBackC, onUserAttrResult) == 31 * sizeof(void *), "ICallBackC.onUserAttrResult");
_Static_assert(offsetof(ICallBackC, onUserAttrAllResult) == 32 * sizeof(void *), "ICallBackC.onUserAttrAllResult");
_Static_assert(offsetof(ICallBackC, onError) == 33 * sizeof(void *), "ICallBackC.onError");
_Static_assert(offsetof(ICallBackC, onQueryUserStatusResult) == 34 * sizeof(void *), "ICallBackC.onQueryUserStatusResult");
_Static_assert(offsetof(ICallBackC, onDbg) == 35 * sizeof(void *), "ICallBackC.onDbg");
_Static_assert(offsetof(ICallBackC, onBCCall_result) == 36 * sizeof(void *), "ICallBackC.onBCCall_result");
_Static_assert(sizeof(ICallBackC) == 37 * sizeof(void *), "sizeof ICallBackC");
_Static_assert(offsetof(IAgoraAPIC, callbackSet) == 0 * sizeof(void *), "IAgoraAPIC.callbackSet");
_Static_assert(offsetof(IAgoraAPIC, callbackGet) == 1 * sizeof(void *), "IAgoraAPIC.callbackGet");
_Static_assert(offsetof(IAgoraAPIC, login) == 2 * sizeof(void *), "IAgoraAPIC.login");
_Static_assert(offsetof(IAgoraAPIC, login2) == 3 * sizeof(void *), "IAgoraAPIC.login2");
_Static_assert(offsetof(IAgoraAPIC, logout) == 4 * sizeof(void *), "IAgoraAPIC.logout");
_Static_assert(offsetof(IAgoraAPIC, channelJoin) == 5 * sizeof(void *), "IAgoraAPIC.channelJoin");
_Static_assert(offsetof(IAgoraAPIC, channelLeave) == 6 * sizeof(void *), "IAgoraAPIC.channelLeave");
_Static_assert(offsetof(IAgoraAPIC, channelQueryUserNum) == 7 * sizeof(void *), "IAgoraAPIC.channelQueryUserNum");
_Static_assert(offsetof(IAgoraAPIC, channelQueryUserIsIn) == 8 * sizeof(void *), "IAgoraAPIC.channelQueryUserIsIn");
_Static_assert(offsetof(IAgoraAPIC, channelSetAttr) == 9 * sizeof(void *), "IAgoraAPIC.channelSetAttr");
_Static_assert(offsetof(IAgoraAPIC, channelDelAttr) == 10 * sizeof(void *), "IAgoraAPIC.channelDelAttr");
_Static_assert(offsetof(IAgoraAPIC, channelClearAttr) == 11 * sizeof(void *), "IAgoraAPIC.channelClearAttr");
_Static_assert(offsetof(IAgoraAPIC, channelInviteUser) == 12 * sizeof(void *), "IAgoraAPIC.channelInviteUser");
_Static_assert(offsetof(IAgoraAPIC, channelInviteUser2) == 13 * sizeof(void *), "IAgoraAPIC.channelInviteUser2");
_Static_assert(offsetof(IAgoraAPIC, channelInvitePhone) == 14 * sizeof(void *), "IAgoraAPIC.channelInvitePhone");
_Static_assert(offsetof(IAgoraAPIC, channelInvitePhone2) == 15 * sizeof(void *), "IAgoraAPIC.channelInvitePhone2");
_Static_assert(offsetof(IAgoraAPIC, channelInvitePhone3) == 16 * sizeof(void *), "IAgoraAPIC.channelInvitePhone3");
_Static_assert(offsetof(IAgoraAPIC, channelInviteDTMF) == 17 * sizeof(void *), "IAgoraAPIC.channelInviteDTMF");
_Static_assert(offsetof(IAgoraAPIC, channelInviteAccept) == 18 * sizeof(void *), "IAgoraAPIC.channelInviteAccept");
_Static_assert(offsetof(IAgoraAPIC, channelInviteRefuse) == 19 * sizeof(void *), "IAgoraAPIC.channelInviteRefuse");
_Static_assert(offsetof(IAgoraAPIC, channelInviteEnd) == 20 * sizeof(void *), "IAgoraAPIC.channelInviteEnd");
_Static_assert(offsetof(IAgoraAPIC, messageAppSend) == 21 * sizeof(void *), "IAgoraAPIC.messageAppSend");
_Static_assert(offsetof(IAgoraAPIC, messageInstantSend) == 22 * sizeof(void *), "IAgoraAPIC.messageInstantSend");
_Static_assert(offsetof(IAgoraAPIC, messageInstantSend2) == 23 * sizeof(void *), "IAgoraAPIC.messageInstantSend2");
_Static_assert(offsetof(IAgoraAPIC, messageChannelSend) == 24 * sizeof(void *), "IAgoraAPIC.messageChannelSend");
_Static_assert(offsetof(IAgoraAPIC, messageChannelSendForce) == 25 * sizeof(void *), "IAgoraAPIC.messageChannelSendForce");
_Static_assert(offsetof(IAgoraAPIC, messageChannelSend2) == 26 * sizeof(void *), "IAgoraAPIC.messageChannelSend2");
_Static_assert(offsetof(IAgoraAPIC, messagePushSend) == 27 * sizeof(void *), "IAgoraAPIC.messagePushSend");
_Static_assert(offsetof(IAgoraAPIC, messageChatSend) == 28 * sizeof(void *), "IAgoraAPIC.messageChatSend");
_Static_assert(offsetof(IAgoraAPIC, messageDTMFSend) == 29 * sizeof(void *), "IAgoraAPIC.messageDTMFSend");
_Static_assert(offsetof(IAgoraAPIC, setBackground) == 30 * sizeof(void *), "IAgoraAPIC.setBackground");
_Static_assert(offsetof(IAgoraAPIC, setNetworkStatus) == 31 * sizeof(void *), "IAgoraAPIC.setNetworkStatus");
_Static_assert(offsetof(IAgoraAPIC, ping) == 32 * sizeof(void *), "IAgoraAPIC.ping");
_Static_assert(offsetof(IAgoraAPIC, setAttr) == 33 * sizeof(void *), "IAgoraAPIC.setAttr");
_Static_assert(offsetof(IAgoraAPIC, getAttr) == 34 * sizeof(void *), "IAgoraAPIC.getAttr");
_Static_assert(offsetof(IAgoraAPIC, getAttrAll) == 35 * sizeof(void *), "IAgoraAPIC.getAttrAll");
_Static_assert(offsetof(IAgoraAPIC, getUserAttr) == 36 * sizeof(void *), "IAgoraAPIC.getUserAttr");
_Static_assert(offsetof(IAgoraAPIC, getUserAttrAll) == 37 * sizeof(void *), "IAgoraAPIC.getUserAttrAll");
_Static_assert(offsetof(IAgoraAPIC, queryUserStatus) == 38 * sizeof(void *), "IAgoraAPIC.queryUserStatus");
_Static_assert(offsetof(IAgoraAPIC, invoke) == 39 * sizeof(void *), "IAgoraAPIC.invoke");
_Static_assert(offsetof(IAgoraAPIC, start) == 40 * sizeof(void *), "IAgoraAPIC.start");
_Static_assert(offsetof(IAgoraAPIC, stop) == 41 * sizeof(void *), "IAgoraAPIC.stop");
_Static_assert(offsetof(IAgoraAPIC, isOnline) == 42 * sizeof(void *), "IAgoraAPIC.isOnline");
_Static_assert(offsetof(IAgoraAPIC, getStatus) == 43 * sizeof(void *), "IAgoraAPIC.getStatus");
_Static_assert(offsetof(IAgoraAPIC, getSdkVersion) == 44 * sizeof(void *), "IAgoraAPIC.getSdkVersion");
_Static_assert(offsetof(IAgoraAPIC, bc_call) == 45 * sizeof(void *), "IAgoraAPIC.bc_call");
_Static_assert(offsetof(IAgoraAPIC, dbg) == 46 * sizeof(void *), "IAgoraAPIC.dbg");
_Static_assert(offsetof(IAgoraAPIC, destroy) == 47 * sizeof(void *), "IAgoraAPIC.destroy");
_Static_assert(offsetof(IAgoraAPIC, release) == 48 * sizeof(void *), "IAgoraAPIC.release");
_Static_assert(offsetof(IAgoraAPIC, api) == 49 * sizeof(void *), "IAgoraAPIC.api");
_Static_assert(offsetof(IAgoraAPIC, cb) == 50 * sizeof(void *), "IAgoraAPIC.cb");
_Static_assert(sizeof(IAgoraAPIC) == 51 * sizeof(void *), "sizeof IAgoraAPIC");

int main(void) {
    printf("layout checked\n");
    return 0;
}
