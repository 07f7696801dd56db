/* test-error.c — nl_fail and nl_failv (numlab/error.h): the error they
 * set, FALSE, no error when none is wanted, the context a helper puts in
 * front, and GLib's warning when an error would be set twice. */
#include "config.h"

#include <numlab/numlab.h>

#include <stdarg.h>

#define TEST_ERROR (g_quark_from_static_string("test-error-quark"))

static void test_fail(void)
{
    g_autoptr(GError) error = NULL;
    g_assert_false(nl_fail(&error, TEST_ERROR, 7, "n = %d is %s", 3, "odd"));
    g_assert_error(error, TEST_ERROR, 7);
    g_assert_cmpstr(error->message, ==, "n = 3 is odd");
    /* a caller that wants no error still gets FALSE */
    g_assert_false(nl_fail(NULL, TEST_ERROR, 7, "ignored %d", 1));
}

/* The pattern error.h shows: a helper that adds its context. */
static gboolean at_line(GError **error, guint line, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

static gboolean at_line(GError **error, guint line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    nl_failv(error, TEST_ERROR, 2, format, args);
    va_end(args);
    g_prefix_error(error, "f.txt: line %u: ", line);
    return FALSE;
}

/* A file macro with a literal context: nothing but nl_fail. */
#define fail(error, ...)                                                       \
    nl_fail(error, TEST_ERROR, 3, "checkpoint: " __VA_ARGS__)

static void test_context(void)
{
    g_autoptr(GError) error = NULL;
    g_assert_false(at_line(&error, 12, "'%s' is not a number", "x"));
    g_assert_error(error, TEST_ERROR, 2);
    g_assert_cmpstr(error->message, ==, "f.txt: line 12: 'x' is not a number");
    g_assert_false(at_line(NULL, 12, "unseen"));

    g_autoptr(GError) second = NULL;
    g_assert_false(fail(&second, "%u bytes too many", 4u));
    g_assert_cmpstr(second->message, ==, "checkpoint: 4 bytes too many");
}

/* Setting an error over another is a bug in the caller: GLib's warning,
 * and the first error stays. */
static void test_set_twice(void)
{
    g_autoptr(GError) error = NULL;
    nl_fail(&error, TEST_ERROR, 1, "first");
    g_test_expect_message("GLib", G_LOG_LEVEL_WARNING, "*set over the top*");
    nl_fail(&error, TEST_ERROR, 2, "second");
    g_test_assert_expected_messages();
    g_assert_cmpstr(error->message, ==, "first");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/error/fail", test_fail);
    g_test_add_func("/error/context", test_context);
    g_test_add_func("/error/set-twice", test_set_twice);
    return g_test_run();
}
