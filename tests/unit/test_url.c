/*
 * Unit tests for lib/base/url.c: the forms of one web address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ni_buf.h"
#include "ni_url.h"

/* Each form on a line of `arg` (an ni_buf). */
static ni_status collect(const char *form, size_t len, void *arg)
{
	struct ni_buf *out = arg;
	ni_status status = ni_buf_add(out, form, len);
	return status == NI_OK ? ni_buf_addch(out, '\n') : status;
}

static void assert_forms(const char *url, const char *want)
{
	struct ni_buf got = NI_BUF_INIT;
	assert_int_equal(ni_url_variants(url, strlen(url), collect, &got),
			 NI_OK);
	if (strcmp(got.data ? got.data : "", want) != 0)
		fail_msg("%s:\ngot:\n%swant:\n%s", url,
			 got.data ? got.data : "", want);
	ni_buf_release(&got);
}

/* A clean https address: both schemes, hosts and paths, nothing else. */
static void test_forms_of_a_clean_address(void **state)
{
	(void)state;
	assert_forms("https://www.example.com/a/b",
		     "https://www.example.com/a/b\n"
		     "https://www.example.com/a/b/\n"
		     "https://example.com/a/b\n"
		     "https://example.com/a/b/\n"
		     "http://www.example.com/a/b\n"
		     "http://www.example.com/a/b/\n"
		     "http://example.com/a/b\n"
		     "http://example.com/a/b/\n");
}

/* What a share adds goes: tracking parameters (any case, utm_ a prefix)
 * and the fragment; the other parameters stay, in their order; the
 * scheme and host are lowercased and the scheme's own port left out. */
static void test_tracking_and_fragment_go(void **state)
{
	(void)state;
	assert_forms("HTTP://Example.COM:80/a?utm_source=x&id=7&FBCLID=y"
		     "&utm_Medium&p=2#top",
		     "HTTP://Example.COM:80/a?utm_source=x&id=7&FBCLID=y"
		     "&utm_Medium&p=2#top\n"
		     "http://example.com/a?id=7&p=2\n"
		     "http://example.com/a?utm_source=x&id=7&FBCLID=y"
		     "&utm_Medium&p=2\n"
		     "http://example.com/a/?id=7&p=2\n"
		     "http://example.com/a/?utm_source=x&id=7&FBCLID=y"
		     "&utm_Medium&p=2\n"
		     "http://www.example.com/a?id=7&p=2\n"
		     "http://www.example.com/a?utm_source=x&id=7&FBCLID=y"
		     "&utm_Medium&p=2\n"
		     "http://www.example.com/a/?id=7&p=2\n"
		     "http://www.example.com/a/?utm_source=x&id=7&FBCLID=y"
		     "&utm_Medium&p=2\n"
		     "https://example.com/a?id=7&p=2\n"
		     "https://example.com/a?utm_source=x&id=7&FBCLID=y"
		     "&utm_Medium&p=2\n"
		     "https://example.com/a/?id=7&p=2\n"
		     "https://example.com/a/?utm_source=x&id=7&FBCLID=y"
		     "&utm_Medium&p=2\n"
		     "https://www.example.com/a?id=7&p=2\n"
		     "https://www.example.com/a?utm_source=x&id=7&FBCLID=y"
		     "&utm_Medium&p=2\n"
		     "https://www.example.com/a/?id=7&p=2\n"
		     "https://www.example.com/a/?utm_source=x&id=7&FBCLID=y"
		     "&utm_Medium&p=2\n");
}

/* Only tracking parameters: no '?' left; a bare host's path is "" or
 * "/"; another port stays. */
static void test_query_of_tracking_alone(void **state)
{
	(void)state;
	assert_forms("https://news.example:8443?gclid=1",
		     "https://news.example:8443?gclid=1\n"
		     "https://news.example:8443\n"
		     "https://news.example:8443/\n"
		     "https://news.example:8443/?gclid=1\n"
		     "https://www.news.example:8443\n"
		     "https://www.news.example:8443?gclid=1\n"
		     "https://www.news.example:8443/\n"
		     "https://www.news.example:8443/?gclid=1\n"
		     "http://news.example:8443\n"
		     "http://news.example:8443?gclid=1\n"
		     "http://news.example:8443/\n"
		     "http://news.example:8443/?gclid=1\n"
		     "http://www.news.example:8443\n"
		     "http://www.news.example:8443?gclid=1\n"
		     "http://www.news.example:8443/\n"
		     "http://www.news.example:8443/?gclid=1\n");
}

/* Not http(s), no host, user information: only as given.  The length
 * counts, not a NUL. */
static void test_other_addresses_as_given(void **state)
{
	(void)state;
	assert_forms("ftp://example.com/a", "ftp://example.com/a\n");
	assert_forms("https://", "https://\n");
	assert_forms("https:///a", "https:///a\n");
	assert_forms("https://user@example.com/a",
		     "https://user@example.com/a\n");
	assert_forms("mailto:a@example.com", "mailto:a@example.com\n");
	assert_forms("", "\n");
	struct ni_buf got = NI_BUF_INIT;
	assert_int_equal(ni_url_variants("http://x.example/a/ junk", 19,
					 collect, &got), NI_OK);
	assert_string_equal(got.data,
			    "http://x.example/a/\n"
			    "http://x.example/a\n"
			    "http://www.x.example/a/\n"
			    "http://www.x.example/a\n"
			    "https://x.example/a/\n"
			    "https://x.example/a\n"
			    "https://www.x.example/a/\n"
			    "https://www.x.example/a\n");
	ni_buf_release(&got);
}

/* The forms of `url`, one a line; the caller frees them. */
static char *forms_of(const char *url)
{
	struct ni_buf got = NI_BUF_INIT;
	assert_int_equal(ni_url_variants(url, strlen(url), collect, &got),
			 NI_OK);
	return got.data;
}

/* An AMP page's address finds the article: the page a Google viewer or
 * the AMP cache shows, amp.HOST, PATH.amp, PATH/amp; their parameters
 * go as tracking ones do. */
static void test_amp_pages_are_their_article(void **state)
{
	(void)state;
	static const struct {
		const char *url, *form;
	} cases[] = {
		{"https://www.google.com/amp/s/www.bbc.co.uk/news/a.amp?usqp=x",
		 "\nhttps://www.bbc.co.uk/news/a\n"},
		{"https://www.google.co.uk/amp/example.com/a/amp/",
		 "\nhttp://example.com/a\n"},
		{"https://www-bbc-co-uk.cdn.ampproject.org/c/s/www.bbc.co.uk/"
		 "news/a.amp?amp_js_v=0.1#x",
		 "\nhttps://www.bbc.co.uk/news/a\n"},
		{"https://x-example.cdn.ampproject.org/v/x.example/b?amp=1",
		 "\nhttp://x.example/b\n"},
		{"https://amp.theguardian.com/a", "\nhttps://www.theguardian.com/a\n"},
		{"https://example.com/a/amp", "\nhttps://example.com/a\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = forms_of(cases[i].url);
		if (!strstr(got, cases[i].form))
			fail_msg("%s: no form %s in:\n%s", cases[i].url,
				 cases[i].form, got);
		free(got);
	}
	/* Not AMP: amp.com is a host; a path with amp inside is a path. */
	char *got = forms_of("https://amp.com/champ");
	assert_non_null(strstr(got, "\nhttps://amp.com/champ/\n"));
	assert_null(strstr(got, "https://com"));
	free(got);
	/* A viewer's URL with no page in it, or a host of a port alone. */
	got = forms_of("https://www.google.com/amp/s/");
	assert_string_equal(got, "https://www.google.com/amp/s/\n");
	free(got);
	got = forms_of("https://:80/x");
	assert_string_equal(got, "https://:80/x\n");
	free(got);
}

/* A status from the callback stops the walk and comes back. */
static ni_status refuse_second(const char *form, size_t len, void *arg)
{
	(void)form;
	(void)len;
	unsigned *calls = arg;
	return ++*calls == 2 ? NI_EINVAL : NI_OK;
}

static void test_callback_status_stops(void **state)
{
	(void)state;
	unsigned calls = 0;
	assert_int_equal(ni_url_variants("https://example.com/a", 21,
					  refuse_second, &calls),
			 NI_EINVAL);
	assert_int_equal(calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms_of_a_clean_address),
		cmocka_unit_test(test_tracking_and_fragment_go),
		cmocka_unit_test(test_query_of_tracking_alone),
		cmocka_unit_test(test_other_addresses_as_given),
		cmocka_unit_test(test_amp_pages_are_their_article),
		cmocka_unit_test(test_callback_status_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
