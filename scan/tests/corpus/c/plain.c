/* The plain C interface of agora_sig.h. */
#include <stdio.h>
#include "agora_sig.h"

static void on_login_success(ICallBackC *self, uint32_t uid, int fd) { printf("in\n"); }
static void on_channel_user_list(ICallBackC *self, int n, char **accounts, uint32_t *uids) {}

int main(void) {
    ICallBackC callbacks = { .onLoginSuccess = on_login_success };
    callbacks.onChannelUserList = on_channel_user_list;
    IAgoraAPIC *api = getAgoraSDKInstanceC();
    api->callbackSet(api, &callbacks);
    api->login(api, APP_ID, 8, "alice", 5, "_no_need_token", 14, 0, "", 0);
    api->channelInviteUser2(api, "room", 4, "bob", 3, "{\"_timeout\":20}", 15);
    api->messageDTMFSend(api, "bob", 3, 0, "123", 3);
    /* api->logout(api); is done by release. scan: none */
    puts("api->messageInstantSend(...) needs a login"); /* scan: none */
    struct session *s = open_session();
    s->login(s, "admin"); /* scan: none */
    api->release(api);
    return 0;
}
