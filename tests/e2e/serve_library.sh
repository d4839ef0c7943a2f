# End to end: newsquery loads libmicrohttpd only for --serve (dlopen(),
# query/mhd.h): a query on the command line does not load it and its
# nine libraries, and --serve without it says so in one line, status 2.
# That --serve works with it is every test in tests/http/.
. "$(dirname "$0")/lib.sh"

# Not linked: not in the program's NEEDED entries (readelf is binutils',
# which gcc needs), nor loaded through another library (ldd).
if have readelf "NEEDED entries"; then
	CHECKS=$((CHECKS + 1))
	readelf -d "$NI_BUILT_NEWSQUERY" >"$WORK/dynamic" ||
		fail "readelf -d newsquery"
	grep -q '(NEEDED)' "$WORK/dynamic" || fail "readelf: no NEEDED entry"
	expect_no_match "$WORK/dynamic" 'NEEDED.*libmicrohttpd' \
		"newsquery does not link libmicrohttpd"
fi
ldd "$NI_BUILT_NEWSQUERY" >"$WORK/ldd" || fail "ldd newsquery"
expect_match "$WORK/ldd" 'libxapian' "ldd lists newsquery's libraries"
expect_no_match "$WORK/ldd" 'libmicrohttpd|libgnutls' \
	"a query loads neither libmicrohttpd nor its libraries"

# --serve where the library is not what it should be.  The dynamic
# loader looks in LD_LIBRARY_PATH first, for the soname newsquery was
# built to load (query/meson.build).  The server must not start: should
# it, it would wait for a signal, so timeout stops it (status 124).
# serve CASE WANT-REGEX: newsquery --serve fails with one line that
# matches WANT-REGEX.
serve() {
	expect_status 2 "--serve, $1" -- env LD_LIBRARY_PATH="$WORK/lib" \
		timeout 60 "$NEWSQUERY" --serve 127.0.0.1:0 \
		--db "$WORK/no-index"
	expect_lines 1 "$WORK/err" "--serve, $1: one line"
	expect_match "$WORK/err" "$2" "--serve, $1: what is said"
}
mkdir "$WORK/lib"
lib="$WORK/lib/$NI_MHD_SONAME"
# Not a shared library at all: dlopen() fails.
: >"$lib"
serve "an empty file" \
	"^newsquery: --serve needs libmicrohttpd: .*$NI_MHD_SONAME: .*short"
# A shared library without MHD's functions: dlsym() fails.
yaml=$(awk '/libyaml/ { print $3 }' "$WORK/ldd")
if [ -f "$yaml" ]; then
	cp "$yaml" "$lib"
	serve "a library without its functions" "^newsquery: --serve needs \
libmicrohttpd: .*$NI_MHD_SONAME: undefined symbol: MHD_"
else
	skip "a library without MHD's functions: no libyaml in ldd's list"
fi

finish
