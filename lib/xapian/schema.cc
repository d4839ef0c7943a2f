/*
 * schema.cc - the terms of the index schema: prefixes, long terms, hashes.
 */

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "internal.h"

namespace ni_xapian {

/* 64-bit FNV-1a: stable across builds and machines, unlike std::hash. */
uint64_t fnv1a(const char *text, size_t len)
{
	uint64_t hash = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++) {
		hash ^= static_cast<unsigned char>(text[i]);
		hash *= 1099511628211ULL;
	}
	return hash;
}

uint64_t fnv1a(const std::string &text)
{
	return fnv1a(text.data(), text.size());
}

/* NI_SLOT_ORDER of the document with unique key `key` (`len` bytes). */
std::string tie_order(const char *key, size_t len)
{
	uint64_t hash = fnv1a(key, len);
	std::string bytes(8, '\0');
	for (int i = 7; i >= 0; i--, hash >>= 8)
		bytes[static_cast<size_t>(i)] = static_cast<char>(hash & 0xff);
	return bytes;
}

const char *text_prefix(enum ni_field field)
{
	const ni_field_spec *spec = ni_text_spec(field);
	return spec ? spec->prefix : nullptr;
}

const char *stem_prefix(enum ni_field field)
{
	const ni_field_spec *spec = ni_text_spec(field);
	return spec ? spec->stem_prefix : nullptr;
}

const char *filter_prefix(enum ni_filter filter)
{
	check_filter(filter);
	const ni_field_spec *spec = ni_filter_spec(filter);
	if (!spec || !spec->prefix)
		throw std::logic_error("a filter without a prefix in the "
				       "field table");
	return spec->prefix;
}

/* prefix + value, with Omega's ':' rule and hashing of over-long terms. */
std::string make_term(const char *prefix, const char *value, size_t len)
{
	std::string term(prefix);
	if (len && *prefix && value[0] >= 'A' && value[0] <= 'Z')
		term += ':';
	term.append(value, len);
	if (term.size() <= MAX_TERM_BYTES)
		return term;
	char hex[17];
	std::snprintf(hex, sizeof hex, "%016llx",
		      static_cast<unsigned long long>(fnv1a(term)));
	term.resize(HASHED_TERM_KEEP);
	return term + hex;
}

std::string make_term(const std::string &prefix, const char *value,
		      size_t len)
{
	return make_term(prefix.c_str(), value, len);
}

/*
 * The value make_term() put after a prefix of `prefix_len` bytes in
 * `term`, in `value`; false for a term too long to be kept whole (its
 * value was hashed: lost).  A term of exactly the hashed length is taken
 * for hashed: such a value is not told from a hash.
 */
bool term_value(const std::string &term, size_t prefix_len,
		std::string &value)
{
	if (term.size() == HASHED_TERM_KEEP + 16)
		return false;
	value = term.substr(prefix_len);
	if (value.size() >= 2 && value[0] == ':' && value[1] >= 'A' &&
	    value[1] <= 'Z')
		value.erase(0, 1);
	return true;
}

/*
 * Xapian's TermGenerator stems only words that start with a letter; we do
 * the same so that "2021" or "3.5" is never turned into a Z term.
 */
bool should_stem(const char *word, size_t len)
{
	return len > 0 && !(word[0] >= '0' && word[0] <= '9');
}

void check_field(enum ni_field field)
{
	if (static_cast<unsigned>(field) >= NI_FIELD_COUNT)
		throw bad_argument("unknown field");
}

void check_filter(enum ni_filter filter)
{
	if (static_cast<unsigned>(filter) >= NI_FILTER_COUNT)
		throw bad_argument("unknown filter");
}

} // namespace ni_xapian
