/*
 * Peer for bench/dtmf.bench.ts: runs spandsp's dtmf_rx over a raw 8 kHz int16 little-endian
 * file in 160-sample frames, `reps` times after one warm-up pass, and prints
 *   samples=<n> reps=<r> ns_per_sample=<x> digits=<all digits of the last pass>
 * Build: cc -O2 dtmf_rx_harness.c -lspandsp -lm
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <spandsp.h>

static char *got;
static size_t ngot, capacity;

static void on_digits(void *user_data, const char *digits, int len)
{
    (void) user_data;
    for (int i = 0; i < len; i++) {
        if (ngot + 1 >= capacity) {
            capacity = capacity ? capacity * 2 : 4096;
            got = realloc(got, capacity);
            if (!got) { perror("realloc"); exit(2); }
        }
        got[ngot++] = digits[i];
    }
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s file.raw reps\n", argv[0]); return 1; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    size_t n = (size_t) bytes / 2;
    int16_t *pcm = malloc(n * sizeof(int16_t));
    if (!pcm || fread(pcm, sizeof(int16_t), n, f) != n) { fprintf(stderr, "read failed\n"); return 1; }
    fclose(f);
    int reps = atoi(argv[2]);
    double total = 0;
    for (int r = -1; r < reps; r++) {
        dtmf_rx_state_t *rx = dtmf_rx_init(NULL, on_digits, NULL);
        ngot = 0;
        double t0 = now_ns();
        for (size_t i = 0; i < n; i += 160) {
            size_t len = n - i < 160 ? n - i : 160;
            dtmf_rx(rx, pcm + i, (int) len);
        }
        double t1 = now_ns();
        if (r >= 0) total += t1 - t0;
        dtmf_rx_free(rx);
    }
    if (got) got[ngot] = '\0';
    printf("samples=%zu reps=%d ns_per_sample=%.3f digits=%s\n", n, reps, total / ((double) n * reps), got ? got : "");
    free(pcm);
    free(got);
    return 0;
}
