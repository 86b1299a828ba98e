/*
 * c_chat: a C99 console chat through the plain C interface (IAgoraAPIC).
 *
 * Reads one command a line from stdin and prints each callback it gets as one line:
 *   login <appid> <account>        send <account> <msgid> <text...>
 *   join <channel>                 say <channel> <msgid> <text...>
 *   leave <channel>                status
 *   logout                         quit
 *
 * Build: cc -std=c99 c_chat.c -I../include -L<dir of libagorasig.so> -lagorasig -lpthread
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "agora_sig.h"

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void say_line(const char *fmt, const char *a, const char *b, const char *c, int n) {
    pthread_mutex_lock(&out_lock);
    printf(fmt, a, b, c, n);
    printf("\n");
    fflush(stdout);
    pthread_mutex_unlock(&out_lock);
}

static void on_login_success(ICallBackC *self, uint32_t uid, int fd) {
    (void)self; (void)uid; (void)fd;
    say_line("onLoginSuccess%s%s%s", "", "", "", 0);
}
static void on_logout(ICallBackC *self, int ecode) {
    (void)self;
    say_line("onLogout %s%s%s%d", "", "", "", ecode);
}
static void on_login_failed(ICallBackC *self, int ecode) {
    (void)self;
    say_line("onLoginFailed %s%s%s%d", "", "", "", ecode);
}
static void on_channel_joined(ICallBackC *self, char const *channel, size_t channel_size) {
    (void)self; (void)channel_size;
    say_line("onChannelJoined %s%s%s", channel, "", "", 0);
}
static void on_channel_user_joined(ICallBackC *self, char const *account, size_t account_size, uint32_t uid) {
    (void)self; (void)account_size; (void)uid;
    say_line("onChannelUserJoined %s%s%s", account, "", "", 0);
}
static void on_channel_user_leaved(ICallBackC *self, char const *account, size_t account_size, uint32_t uid) {
    (void)self; (void)account_size; (void)uid;
    say_line("onChannelUserLeaved %s%s%s", account, "", "", 0);
}
static void on_channel_leaved(ICallBackC *self, char const *channel, size_t channel_size, int ecode) {
    (void)self; (void)channel_size;
    say_line("onChannelLeaved %s %s%s%d", channel, "", "", ecode);
}
static void on_channel_user_list(ICallBackC *self, int n, char **accounts, uint32_t *uids) {
    int i;
    (void)self; (void)uids;
    pthread_mutex_lock(&out_lock);
    printf("onChannelUserList %d", n);
    for (i = 0; i < n; i++) printf(" %s", accounts[i]);
    printf("\n");
    fflush(stdout);
    pthread_mutex_unlock(&out_lock);
}
static void on_send_success(ICallBackC *self, char const *id, size_t id_size) {
    (void)self; (void)id_size;
    say_line("onMessageSendSuccess %s%s%s", id, "", "", 0);
}
static void on_send_error(ICallBackC *self, char const *id, size_t id_size, int ecode) {
    (void)self; (void)id_size;
    say_line("onMessageSendError %s %s%s%d", id, "", "", ecode);
}
static void on_instant(ICallBackC *self, char const *account, size_t account_size, uint32_t uid, char const *msg,
                       size_t msg_size) {
    (void)self; (void)account_size; (void)uid; (void)msg_size;
    say_line("onMessageInstantReceive %s %s%s", account, msg, "", 0);
}
static void on_channel_msg(ICallBackC *self, char const *channel, size_t channel_size, char const *account,
                           size_t account_size, uint32_t uid, char const *msg, size_t msg_size) {
    (void)self; (void)channel_size; (void)account_size; (void)uid; (void)msg_size;
    say_line("onMessageChannelReceive %s %s %s", channel, account, msg, 0);
}
static void on_error(ICallBackC *self, char const *name, size_t name_size, int ecode, char const *desc,
                     size_t desc_size) {
    (void)self; (void)name_size; (void)desc; (void)desc_size;
    say_line("onError %s %s%s%d", name, "", "", ecode);
}

static void *run_loop(void *api) {
    IAgoraAPIC *sdk = (IAgoraAPIC *)api;
    sdk->start(sdk);
    say_line("start returned%s%s%s", "", "", "", 0);
    return NULL;
}

/* The next space-separated word of *line, NUL-terminated in place. */
static char *word(char **line) {
    char *w = *line;
    while (*w == ' ') w++;
    char *end = w;
    while (*end && *end != ' ') end++;
    if (*end) *end++ = '\0';
    *line = end;
    return w;
}

int main(void) {
    ICallBackC callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.onLoginSuccess = on_login_success;
    callbacks.onLogout = on_logout;
    callbacks.onLoginFailed = on_login_failed;
    callbacks.onChannelJoined = on_channel_joined;
    callbacks.onChannelUserJoined = on_channel_user_joined;
    callbacks.onChannelUserLeaved = on_channel_user_leaved;
    callbacks.onChannelLeaved = on_channel_leaved;
    callbacks.onChannelUserList = on_channel_user_list;
    callbacks.onMessageSendSuccess = on_send_success;
    callbacks.onMessageSendError = on_send_error;
    callbacks.onMessageInstantReceive = on_instant;
    callbacks.onMessageChannelReceive = on_channel_msg;
    callbacks.onError = on_error;

    IAgoraAPIC *sdk = getAgoraSDKInstanceC();
    sdk->callbackSet(sdk, &callbacks);
    if (sdk->callbackGet(sdk) != &callbacks) {
        printf("callbackGet returned another sink\n");
        return 1;
    }
    pthread_t loop;
    pthread_create(&loop, NULL, run_loop, sdk);

    char buf[4096];
    while (fgets(buf, sizeof buf, stdin)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        char *line = buf;
        char *cmd = word(&line);
        if (strcmp(cmd, "login") == 0) {
            char *app = word(&line);
            char *account = word(&line);
            sdk->login(sdk, app, strlen(app), account, strlen(account), "_no_need_token", 14, 0, NULL, 0);
        } else if (strcmp(cmd, "send") == 0) {
            char *to = word(&line);
            char *id = word(&line);
            sdk->messageInstantSend(sdk, to, strlen(to), 0, line, strlen(line), id, strlen(id));
        } else if (strcmp(cmd, "join") == 0) {
            char *channel = word(&line);
            sdk->channelJoin(sdk, channel, strlen(channel));
        } else if (strcmp(cmd, "say") == 0) {
            char *channel = word(&line);
            char *id = word(&line);
            sdk->messageChannelSend(sdk, channel, strlen(channel), line, strlen(line), id, strlen(id));
        } else if (strcmp(cmd, "leave") == 0) {
            char *channel = word(&line);
            sdk->channelLeave(sdk, channel, strlen(channel));
        } else if (strcmp(cmd, "status") == 0) {
            say_line("status %s%s%s%d", "", "", "", sdk->getStatus(sdk));
        } else if (strcmp(cmd, "logout") == 0) {
            sdk->logout(sdk);
        } else if (strcmp(cmd, "quit") == 0) {
            break;
        }
    }
    sdk->stop(sdk);
    pthread_join(loop, NULL);
    sdk->release(sdk);
    say_line("bye%s%s%s", "", "", "", 0);
    return 0;
}
