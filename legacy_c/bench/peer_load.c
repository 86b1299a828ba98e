/*
 * peer_load: peer messages through libagorasig's C interface, as fast as they are answered.
 *
 *   peer_load PAIRS MESSAGES WINDOW
 *
 * Makes PAIRS senders and PAIRS receivers (createAgoraSDKInstanceC), logs them all in, then each
 * sender sends MESSAGES messages to its receiver, keeping WINDOW unanswered: every
 * onMessageSendSuccess (or onMessageSendError) sends the next one, from the callback. Ends when
 * every message is answered and every one answered with success received, and prints one line:
 *
 *   messages N seconds S rate R cpu_us_per_message C errors E
 *
 * with the process's CPU time (every thread, the library's included) over the sending. The
 * facade's Rust twin of this program is in benches/c_path.rs; both reach SIGSHIM_URL when set,
 * the process's embedded hub otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agora_sig.h"

#define PAYLOAD "peer-load payload 0123456789abcdef"

/* One user: the callback struct first, so that a callback's `self` is the user. */
struct user {
    ICallBackC cb;
    IAgoraAPIC *sdk;
    char account[32];
    char peer[32];
    atomic_uint next; /* the next message number (senders) */
};

static int messages;
static atomic_int logged_in;
static atomic_long answered;
static atomic_long received;
static atomic_long errors;
static long total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;

static void wake(void) {
    pthread_mutex_lock(&lock);
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void send_next(struct user *u) {
    char id[16];
    unsigned k = atomic_fetch_add(&u->next, 1);
    if (k >= (unsigned)messages) return;
    int n = snprintf(id, sizeof id, "m%u", k);
    u->sdk->messageInstantSend(u->sdk, u->peer, strlen(u->peer), 0, PAYLOAD, strlen(PAYLOAD), id, (size_t)n);
}

static void on_login_success(ICallBackC *self, uint32_t uid, int fd) {
    (void)self; (void)uid; (void)fd;
    atomic_fetch_add(&logged_in, 1);
    wake();
}
static void on_login_failed(ICallBackC *self, int ecode) {
    fprintf(stderr, "login of %s failed: %d\n", ((struct user *)self)->account, ecode);
    exit(1);
}
/* Every message is answered, and every one answered with success has arrived. */
static int finished(void) {
    return atomic_load(&answered) == total && atomic_load(&received) + atomic_load(&errors) >= total;
}
static void answer(ICallBackC *self) {
    atomic_fetch_add(&answered, 1);
    send_next((struct user *)self);
    if (finished()) wake();
}
static void on_send_success(ICallBackC *self, char const *id, size_t id_size) {
    (void)id; (void)id_size;
    answer(self);
}
static void on_send_error(ICallBackC *self, char const *id, size_t id_size, int ecode) {
    (void)id; (void)id_size; (void)ecode;
    atomic_fetch_add(&errors, 1);
    answer(self);
}
static void on_instant(ICallBackC *self, char const *account, size_t account_size, uint32_t uid, char const *msg,
                       size_t msg_size) {
    (void)self; (void)account; (void)account_size; (void)uid; (void)msg; (void)msg_size;
    atomic_fetch_add(&received, 1);
    if (finished()) wake();
}

static double now(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PAIRS MESSAGES WINDOW\n", argv[0]);
        return 2;
    }
    int pairs = atoi(argv[1]);
    messages = atoi(argv[2]);
    int window = atoi(argv[3]);
    if (pairs < 1 || messages < 1 || window < 1) {
        fprintf(stderr, "PAIRS, MESSAGES and WINDOW are positive numbers\n");
        return 2;
    }
    total = (long)pairs * messages;
    struct user *users = calloc((size_t)pairs * 2, sizeof *users);
    if (!users) return 1;
    for (int i = 0; i < pairs * 2; i++) {
        struct user *u = &users[i];
        int sender = i < pairs;
        int k = sender ? i : i - pairs;
        snprintf(u->account, sizeof u->account, "%s%d", sender ? "s" : "r", k);
        snprintf(u->peer, sizeof u->peer, "%s%d", sender ? "r" : "s", k);
        u->cb.onLoginSuccess = on_login_success;
        u->cb.onLoginFailed = on_login_failed;
        u->cb.onMessageSendSuccess = on_send_success;
        u->cb.onMessageSendError = on_send_error;
        u->cb.onMessageInstantReceive = on_instant;
        u->sdk = createAgoraSDKInstanceC();
        u->sdk->callbackSet(u->sdk, &u->cb);
        u->sdk->login(u->sdk, "app", 3, u->account, strlen(u->account), "_no_need_token", 14, 0, NULL, 0);
    }
    pthread_mutex_lock(&lock);
    while (atomic_load(&logged_in) < pairs * 2) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);

    double t0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < pairs; i++) {
        for (int w = 0; w < window; w++) send_next(&users[i]);
    }
    pthread_mutex_lock(&lock);
    while (!finished()) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    double seconds = now(CLOCK_MONOTONIC) - t0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;

    printf("messages %ld seconds %.4f rate %.0f cpu_us_per_message %.3f errors %ld\n", total, seconds,
           (double)total / seconds, cpu * 1e6 / (double)total, atomic_load(&errors));
    for (int i = 0; i < pairs * 2; i++) users[i].sdk->release(users[i].sdk);
    return 0;
}
