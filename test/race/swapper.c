// The racer of test/race.test.ts: swaps two entries of a tree as fast as it
// can, atomically, with renameat2(RENAME_EXCHANGE), so at every instant each
// name is one of the two entries (a real folder or file, or a symlink out).
//
//   swapper A B STOPFILE SECONDS
//
// Swaps A and B until STOPFILE exists or SECONDS have passed (or SIGTERM),
// then swaps once more if needed so both are back where they started, and
// prints the number of swaps. It prints "ready" once the first swap is done.
// Exit status: 0 done, 1 usage, 2 a swap failed (the message says why).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop_now = 0;

static void on_term(int sig) {
  (void)sig;
  stop_now = 1;
}

// Not glibc's renameat2() wrapper (glibc < 2.28 has none): the syscall itself.
static int exchange(const char *a, const char *b) {
  return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s A B STOPFILE SECONDS\n", argv[0]);
    return 1;
  }
  const char *a = argv[1], *b = argv[2], *stopfile = argv[3];
  double limit = atof(argv[4]);
  prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the test that started it
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);

  unsigned long long swaps = 0;
  if (exchange(a, b) != 0) {
    fprintf(stderr, "swapper: renameat2(%s, %s, RENAME_EXCHANGE): %s\n", a, b, strerror(errno));
    return 2;
  }
  swaps++;
  printf("ready\n");
  fflush(stdout);

  double deadline = now() + limit;
  while (!stop_now) {
    for (int i = 0; i < 512; i++) {
      if (exchange(a, b) != 0) {
        fprintf(stderr, "swapper: renameat2(%s, %s, RENAME_EXCHANGE): %s\n", a, b, strerror(errno));
        return 2;
      }
      swaps++;
    }
    if (access(stopfile, F_OK) == 0 || now() > deadline) break;
  }
  if (swaps % 2 == 1) {
    if (exchange(a, b) != 0) {
      fprintf(stderr, "swapper: final renameat2: %s\n", strerror(errno));
      return 2;
    }
    swaps++;
  }
  printf("%llu\n", swaps);
  return 0;
}
