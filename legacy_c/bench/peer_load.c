/*
 * peer_load: peer messages through libagorasig's C interface, the load program of the C path.
 *
 *   peer_load PAIRS MESSAGES WINDOW
 *   peer_load open APP_ID PAIRS RATE WINDOW WARMUP_S DURATION_S TAG
 *
 * Makes PAIRS senders and PAIRS receivers (createAgoraSDKInstanceC), logs them all in, and has
 * each sender send to its own receiver.
 *
 * The first form sends MESSAGES messages per sender, WINDOW unanswered: every
 * onMessageSendSuccess (or onMessageSendError) sends the next one, from the callback. It ends
 * when every message is answered and every one answered with success received, and prints
 *
 *   messages N seconds S rate R cpu_us_per_message C errors E
 *
 * with the process's CPU time (every thread, the library's included) over the sending. The
 * facade's Rust twin of this form is in benches/c_path.rs.
 *
 * The second form is `sigshim bench peer --api c`'s generator. Users of APP_ID are named
 * s<i>-TAG and r<i>-TAG. After the logins it prints "ready" and waits for a line on stdin; then it sends RATE
 * messages a second across the senders for WARMUP_S + DURATION_S seconds (RATE 0: each sender
 * keeps WINDOW unanswered, refilled from the callbacks). Each message carries the time it was
 * due; those due in the last DURATION_S seconds are measured. It prints
 *
 *   sent N acked N failed N delivered N p50_us N p99_us N p999_us N max_us N
 *
 * (latency: arrival minus due time, in microseconds) and exits when stdin closes.
 *
 * Both forms reach SIGSHIM_URL when it is set, the process's embedded hub otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
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
    char account[64];
    char peer[64];
    atomic_uint next; /* the next message number (senders) */
};

static int open_mode;
static unsigned messages;             /* closed form: per sender */
static uint64_t from_ns, until_ns;    /* open form: the measured window of due times */
static uint64_t stop_ns;              /* open form, saturation: no refill from then on */
static atomic_int logged_in;
static atomic_long answered, received, errors;    /* closed form */
static atomic_long sent_m, acked_m, failed_m, delivered_m; /* open form, measured only */
static long total;
static uint32_t *latencies; /* open form: microseconds, one per measured delivery */
static long latency_room;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void wake(void) {
    pthread_mutex_lock(&lock);
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static int measured(uint64_t due) { return due >= from_ns && due < until_ns; }

/* Sends message number k of a sender, due at `due` (open form) or now (closed form). */
static void send_one(struct user *u, unsigned k, uint64_t due) {
    char id[24], text[96];
    const char *msg = PAYLOAD;
    int id_size, text_size = (int)strlen(PAYLOAD);
    if (open_mode) {
        int counted = measured(due);
        if (counted) atomic_fetch_add(&sent_m, 1);
        id_size = snprintf(id, sizeof id, "%c%u", counted ? 'm' : 'w', k);
        text_size = snprintf(text, sizeof text, "t%llu|%s", (unsigned long long)due, PAYLOAD);
        msg = text;
    } else {
        id_size = snprintf(id, sizeof id, "m%u", k);
    }
    u->sdk->messageInstantSend(u->sdk, u->peer, strlen(u->peer), 0, msg, (size_t)text_size, id, (size_t)id_size);
}

/* The next message of a sender that refills its window from its callbacks. */
static void send_next(struct user *u) {
    unsigned k = atomic_fetch_add(&u->next, 1);
    if (open_mode) {
        uint64_t now = now_ns();
        if (now < stop_ns) send_one(u, k, now);
    } else if (k < messages) {
        send_one(u, k, 0);
    }
}

static int finished(void) {
    if (open_mode) {
        long acked = atomic_load(&acked_m);
        return acked + atomic_load(&failed_m) >= atomic_load(&sent_m) && atomic_load(&delivered_m) >= acked;
    }
    return atomic_load(&answered) == total && atomic_load(&received) + atomic_load(&errors) >= total;
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
static void answer(ICallBackC *self, char const *id, int ok) {
    if (open_mode) {
        if (id[0] == 'm') atomic_fetch_add(ok ? &acked_m : &failed_m, 1);
        if (stop_ns != UINT64_MAX) send_next((struct user *)self); /* saturation: refill */
    } else {
        atomic_fetch_add(&answered, 1);
        if (!ok) atomic_fetch_add(&errors, 1);
        send_next((struct user *)self);
    }
    if (finished()) wake();
}
static void on_send_success(ICallBackC *self, char const *id, size_t id_size) {
    (void)id_size;
    answer(self, id, 1);
}
static void on_send_error(ICallBackC *self, char const *id, size_t id_size, int ecode) {
    (void)id_size; (void)ecode;
    answer(self, id, 0);
}
static void on_instant(ICallBackC *self, char const *account, size_t account_size, uint32_t uid, char const *msg,
                       size_t msg_size) {
    (void)self; (void)account; (void)account_size; (void)uid; (void)msg_size;
    if (open_mode) {
        uint64_t now = now_ns(), due = msg[0] == 't' ? strtoull(msg + 1, NULL, 10) : 0;
        if (!measured(due)) return;
        long at = atomic_fetch_add(&delivered_m, 1);
        if (at < latency_room) latencies[at] = (uint32_t)((now > due ? now - due : 0) / 1000);
    } else {
        atomic_fetch_add(&received, 1);
    }
    if (finished()) wake();
}

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int compare_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The latency at quantile q of the n sorted ones. */
static uint32_t quantile(long n, double q) {
    if (n == 0) return 0;
    long i = (long)(q * (double)n);
    return latencies[i >= n ? n - 1 : i];
}

static struct user *make_users(const char *app, int pairs, const char *tag) {
    struct user *users = calloc((size_t)pairs * 2, sizeof *users);
    if (!users) exit(1);
    for (int i = 0; i < pairs * 2; i++) {
        struct user *u = &users[i];
        int sender = i < pairs, k = sender ? i : i - pairs;
        snprintf(u->account, sizeof u->account, "%s%d%s%s", sender ? "s" : "r", k, *tag ? "-" : "", tag);
        snprintf(u->peer, sizeof u->peer, "%s%d%s%s", sender ? "r" : "s", k, *tag ? "-" : "", tag);
        u->cb.onLoginSuccess = on_login_success;
        u->cb.onLoginFailed = on_login_failed;
        u->cb.onMessageSendSuccess = on_send_success;
        u->cb.onMessageSendError = on_send_error;
        u->cb.onMessageInstantReceive = on_instant;
        u->sdk = createAgoraSDKInstanceC();
        u->sdk->callbackSet(u->sdk, &u->cb);
        u->sdk->login(u->sdk, app, strlen(app), u->account, strlen(u->account), "_no_need_token", 14, 0, NULL, 0);
    }
    pthread_mutex_lock(&lock);
    while (atomic_load(&logged_in) < pairs * 2) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    return users;
}

/* Waits until finished(), or until `deadline_ns` when it is not 0. */
static void wait_finished(uint64_t deadline_ns) {
    pthread_mutex_lock(&lock);
    while (!finished() && (deadline_ns == 0 || now_ns() < deadline_ns)) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += 10000000;
        if (t.tv_nsec >= 1000000000) { t.tv_sec++; t.tv_nsec -= 1000000000; }
        pthread_cond_timedwait(&changed, &lock, &t);
    }
    pthread_mutex_unlock(&lock);
}

static int closed_form(int pairs, int window) {
    total = (long)pairs * messages;
    struct user *users = make_users("app", pairs, "");
    double t0 = (double)now_ns() / 1e9, cpu0 = cpu_seconds();
    for (int i = 0; i < pairs; i++)
        for (int w = 0; w < window; w++) send_next(&users[i]);
    wait_finished(0);
    double seconds = (double)now_ns() / 1e9 - t0, cpu = cpu_seconds() - cpu0;
    printf("messages %ld seconds %.4f rate %.0f cpu_us_per_message %.3f errors %ld\n", total, seconds,
           (double)total / seconds, cpu * 1e6 / (double)total, atomic_load(&errors));
    for (int i = 0; i < pairs * 2; i++) users[i].sdk->release(users[i].sdk);
    return 0;
}

static int open_form(const char *app, int pairs, long rate, int window, double warmup, double duration,
                     const char *tag) {
    open_mode = 1;
    latency_room = (long)((rate > 0 ? (double)rate : 2e6) * duration) + 1024;
    latencies = malloc((size_t)latency_room * sizeof *latencies);
    if (!latencies) return 1;
    struct user *users = make_users(app, pairs, tag);
    printf("ready\n");
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin)) return 1;

    uint64_t start = now_ns() + 100000000u;
    from_ns = start + (uint64_t)(warmup * 1e9);
    until_ns = from_ns + (uint64_t)(duration * 1e9);
    if (rate == 0) {
        stop_ns = until_ns;
        while (now_ns() < start) {}
        for (int i = 0; i < pairs; i++)
            for (int w = 0; w < window; w++) send_next(&users[i]);
        while (now_ns() < until_ns) {
            struct timespec pause = {0, 10000000};
            nanosleep(&pause, NULL);
        }
    } else {
        stop_ns = UINT64_MAX; /* paced: the callbacks send nothing */
        double gap = 1e9 / (double)rate;
        for (uint64_t k = 0;; k++) {
            uint64_t due = start + (uint64_t)((double)k * gap);
            if (due >= until_ns) break;
            if (now_ns() < due) {
                struct timespec at = {(time_t)(due / 1000000000u), (long)(due % 1000000000u)};
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) != 0) {}
            }
            struct user *u = &users[k % (uint64_t)pairs];
            send_one(u, atomic_fetch_add(&u->next, 1), due);
        }
    }
    wait_finished(now_ns() + 10000000000u);

    long n = atomic_load(&delivered_m);
    if (n > latency_room) n = latency_room;
    qsort(latencies, (size_t)n, sizeof *latencies, compare_u32);
    printf("sent %ld acked %ld failed %ld delivered %ld p50_us %u p99_us %u p999_us %u max_us %u\n",
           atomic_load(&sent_m), atomic_load(&acked_m), atomic_load(&failed_m), atomic_load(&delivered_m),
           quantile(n, 0.5), quantile(n, 0.99), quantile(n, 0.999), n ? latencies[n - 1] : 0);
    fflush(stdout);
    while (fgets(line, sizeof line, stdin)) {}
    for (int i = 0; i < pairs * 2; i++) users[i].sdk->release(users[i].sdk);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4) {
        int pairs = atoi(argv[1]), window = atoi(argv[3]);
        messages = (unsigned)atoi(argv[2]);
        if (pairs < 1 || messages < 1 || window < 1) {
            fprintf(stderr, "PAIRS, MESSAGES and WINDOW are positive numbers\n");
            return 2;
        }
        return closed_form(pairs, window);
    }
    if (argc == 9 && strcmp(argv[1], "open") == 0) {
        int pairs = atoi(argv[3]), window = atoi(argv[5]);
        long rate = atol(argv[4]);
        double warmup = atof(argv[6]), duration = atof(argv[7]);
        if (pairs < 1 || rate < 0 || window < 1 || warmup < 0 || duration <= 0) {
            fprintf(stderr, "open: PAIRS and WINDOW positive, RATE 0 or more, DURATION_S positive\n");
            return 2;
        }
        return open_form(argv[2], pairs, rate, window, warmup, duration, argv[8]);
    }
    fprintf(stderr, "usage: %s PAIRS MESSAGES WINDOW\n       %s open APP_ID PAIRS RATE WINDOW WARMUP_S DURATION_S TAG\n",
            argv[0], argv[0]);
    return 2;
}
