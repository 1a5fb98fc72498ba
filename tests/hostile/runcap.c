/* Runs one command under a CPU-time cap and reports what it used: the
 * runner of tests/hostile/superlinear.py. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * runcap SECONDS REPORT COMMAND [ARG...]
 *
 * Runs COMMAND with RLIMIT_CPU at SECONDS (killed when it passes them) and
 * writes "USER SYSTEM MAXRSS STATUS" to the file REPORT: its CPU seconds
 * to the microsecond, its peak resident memory in KiB, and its exit status
 * or minus the signal that ended it. One process in place of GNU time and
 * prlimit, and the peak is the command's own: it is forked here, from a
 * small process, so the kernel does not carry a large parent's high-water
 * mark over its exec. Exit status 0 once the report is written, 2 when
 * something here failed.
 */
int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: runcap SECONDS REPORT COMMAND [ARG...]\n");
    return 2;
  }
  char *end;
  long secs = strtol(argv[1], &end, 10);
  if (*end || secs <= 0) {
    fprintf(stderr, "runcap: not a number of seconds: %s\n", argv[1]);
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("runcap: fork");
    return 2;
  }
  if (pid == 0) {
    struct rlimit cap = {(rlim_t)secs, (rlim_t)secs};
    if (setrlimit(RLIMIT_CPU, &cap) != 0)
      _exit(126);
    execvp(argv[3], argv + 3);
    _exit(127);
  }
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("runcap: wait4");
      return 2;
    }
  }
  int rc = WIFEXITED(status)     ? WEXITSTATUS(status)
           : WIFSIGNALED(status) ? -WTERMSIG(status)
                                 : -1;
  FILE *f = fopen(argv[2], "w");
  if (!f) {
    perror("runcap: report");
    return 2;
  }
  fprintf(f, "%ld.%06ld %ld.%06ld %ld %d\n", (long)ru.ru_utime.tv_sec,
          (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
          (long)ru.ru_stime.tv_usec, ru.ru_maxrss, rc);
  return fclose(f) == 0 ? 0 : 2;
}
