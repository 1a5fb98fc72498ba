/* The job's fetch options (galley_job_set_fetch_options): a job fetches
 * nothing until the host gives them; they are copied, checked for their
 * version, kept by galley_job_copy and taken back with NULL. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <galley/fetch.h>
#include <galley/galley.h>

static void a_new_job_fetches_nothing(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  assert_null(galley_job_fetch_options(job));
  galley_job_free(job);
}

static void the_options_are_copied_with_their_user_agent(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  char ua[] = "reader/1.0";
  galley_fetch_options o = GALLEY_FETCH_OPTIONS_INIT;
  o.allow_local_network = true;
  o.max_resources = 7;
  o.user_agent = ua;
  assert_int_equal(galley_job_set_fetch_options(job, &o), GALLEY_OK);
  strcpy(ua, "changed!!!");
  o.max_resources = 99;
  const galley_fetch_options *got = galley_job_fetch_options(job);
  assert_non_null(got);
  assert_true(got->allow_local_network);
  assert_false(got->offline);
  assert_int_equal(got->max_resources, 7);
  assert_string_equal(got->user_agent, "reader/1.0");
  assert_int_equal(got->max_response_bytes, GALLEY_FETCH_MAX_RESPONSE);

  galley_job *copy = galley_job_copy(job);
  assert_non_null(copy);
  const galley_fetch_options *c = galley_job_fetch_options(copy);
  assert_non_null(c);
  assert_ptr_not_equal(c, got);
  assert_ptr_not_equal(c->user_agent, got->user_agent);
  assert_string_equal(c->user_agent, "reader/1.0");
  assert_int_equal(c->max_resources, 7);
  galley_job_free(copy);

  assert_int_equal(galley_job_set_fetch_options(job, NULL), GALLEY_OK);
  assert_null(galley_job_fetch_options(job));
  galley_job_free(job);
}

static void an_unknown_version_is_refused(void **state) {
  (void)state;
  galley_job *job = galley_job_new(NULL);
  galley_fetch_options o = GALLEY_FETCH_OPTIONS_INIT;
  o.offline = true;
  assert_int_equal(galley_job_set_fetch_options(job, &o), GALLEY_OK);
  galley_fetch_options bad = GALLEY_FETCH_OPTIONS_INIT;
  bad.version = 0;
  assert_int_equal(galley_job_set_fetch_options(job, &bad), GALLEY_EINVALID);
  bad.version = GALLEY_FETCH_OPTIONS_VERSION + 1;
  assert_int_equal(galley_job_set_fetch_options(job, &bad), GALLEY_EINVALID);
  /* The options it had stay. */
  assert_true(galley_job_fetch_options(job)->offline);
  assert_int_equal(galley_job_set_fetch_options(NULL, &o), GALLEY_EINVALID);
  galley_job_free(job);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_new_job_fetches_nothing),
      cmocka_unit_test(the_options_are_copied_with_their_user_agent),
      cmocka_unit_test(an_unknown_version_is_refused),
  };
  return cmocka_run_group_tests_name("job fetch options", tests, NULL, NULL);
}
