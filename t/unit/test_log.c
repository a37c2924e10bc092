/* test_log.c — held log lines: written together, in order, before any other line, in
 * whole lines of at most 4 KB, and by a crash before it ends the process. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/core/log.h"

/* stderr goes to a pipe the test reads without blocking. */
static int pipe_rd = -1, saved_stderr = -1;

static int capture(void **state)
{
    (void)state;
    int p[2];
    if (pipe(p) != 0) return -1;
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    saved_stderr = dup(STDERR_FILENO);
    dup2(p[1], STDERR_FILENO);
    close(p[1]);
    pipe_rd = p[0];
    return 0;
}

static int release(void **state)
{
    (void)state;
    log_flush();
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    close(pipe_rd);
    return 0;
}

/* One read(2) of the pipe, as one write(2) put it there: "" when nothing is there. */
static size_t read_once(char *out, size_t cap)
{
    ssize_t n = read(pipe_rd, out, cap - 1);
    if (n < 0) {
        assert_int_equal(errno, EAGAIN);
        n = 0;
    }
    out[n] = '\0';
    return (size_t)n;
}

static void test_held_lines_wait_for_a_flush(void **state)
{
    (void)state;
    char got[8192];
    log_line_held(STR("{\"n\":1}"));
    log_line_held(STR("{\"n\":2}"));
    assert_int_equal(read_once(got, sizeof got), 0);
    log_flush();
    read_once(got, sizeof got);
    assert_string_equal(got, "{\"n\":1}\n{\"n\":2}\n");
    log_flush(); /* nothing held: writes nothing */
    assert_int_equal(read_once(got, sizeof got), 0);
}

static void test_a_direct_line_comes_after_the_held_ones(void **state)
{
    (void)state;
    char got[8192];
    log_line_held(STR("{\"n\":1}"));
    log_line(STR("{\"n\":2}"));
    size_t n = read_once(got, sizeof got);
    n += read_once(got + n, sizeof got - n);
    assert_string_equal(got, "{\"n\":1}\n{\"n\":2}\n");
}

/* Lines of 1,000 bytes: four fit in 4 KB, the fifth makes the first four one write. */
static void test_held_lines_are_written_in_whole_lines_of_at_most_4_kb(void **state)
{
    (void)state;
    char line[1000], got[8192];
    memset(line, 'x', sizeof line);
    line[0] = '{';
    line[sizeof line - 1] = '}';
    for (int i = 0; i < 4; i++) log_line_held(str_make(line, sizeof line));
    assert_int_equal(read_once(got, sizeof got), 0);
    log_line_held(str_make(line, sizeof line));
    assert_int_equal(read_once(got, sizeof got), 4 * 1001);
    for (int i = 0; i < 4; i++) assert_int_equal(got[i * 1001 + 1000], '\n');
    log_flush();
    assert_int_equal(read_once(got, sizeof got), 1001);
    /* A line longer than the whole hold is written at once, after what was held. */
    char big[5000];
    memset(big, 'y', sizeof big);
    log_line_held(STR("{\"n\":1}"));
    log_line_held(str_make(big, sizeof big));
    size_t n = 0, k;
    while ((k = read_once(got + n, sizeof got - n)) > 0) n += k;
    assert_int_equal(n, 8 + 5001);
    assert_memory_equal(got, "{\"n\":1}\n", 8);
}

/* A child holds a line, then ends by sig: by a fault (raised again on return to the
 * faulting instruction) or a signal sent to it. The line reaches the pipe, and the
 * child ends by that signal all the same. */
static void crash_with_a_line_held(int sig, bool fault)
{
    char got[256];
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* As in a worker: no handler but ours (cmocka catches faults in tests). */
        static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], SIG_DFL);
        log_flush_on_crash();
        log_line_held(STR("{\"msg\":\"held\"}"));
        if (fault) {
            volatile int *nowhere = NULL;
            *nowhere = 1;
        }
        if (sig == SIGABRT) abort();
        kill(getpid(), sig);
        _exit(0); /* not reached */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), sig);
    read_once(got, sizeof got);
    assert_string_equal(got, "{\"msg\":\"held\"}\n");
}

static void test_a_crash_writes_the_held_lines(void **state)
{
    (void)state;
    crash_with_a_line_held(SIGABRT, false);
    crash_with_a_line_held(SIGBUS, false);
#if !defined(__SANITIZE_ADDRESS__)
    /* Under AddressSanitizer its own handler reports the fault and exits instead. */
    crash_with_a_line_held(SIGSEGV, true);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_lines_wait_for_a_flush),
        cmocka_unit_test(test_a_direct_line_comes_after_the_held_ones),
        cmocka_unit_test(test_held_lines_are_written_in_whole_lines_of_at_most_4_kb),
        cmocka_unit_test(test_a_crash_writes_the_held_lines),
    };
    return cmocka_run_group_tests(tests, capture, release);
}
