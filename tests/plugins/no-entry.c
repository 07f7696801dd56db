/* no-entry.c — a shared object with no numlab_plugin_entry(): the loader
 * must say it is not a numlab plugin and go on. */
int nl_test_not_a_plugin(void);
int nl_test_not_a_plugin(void)
{
    return 42;
}
