-- wrk script for bench/serve: each connection asks /api/search for the
-- queries of bench/queries.txt in turn (file order, each connection
-- starting at its own place), and done() prints one line of numbers:
--   requests rps p50_ms p90_ms p99_ms max_ms errors
-- errors counts connect/read/write/timeout errors and non-2xx answers.
-- The queries file is NI_QUERIES (default bench/queries.txt); NI_ASK is
-- what comes before each query in the URL (default "/api/search?q=",
-- "/cgi-bin/omega?DB=news&P=" for Omega's CGI).

local queries = {}

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function load()
  local path = os.getenv("NI_QUERIES") or "bench/queries.txt"
  local ask = os.getenv("NI_ASK") or "/api/search?q="
  for line in io.lines(path) do
    if line ~= "" and line:sub(1, 1) ~= "#" then
      queries[#queries + 1] = ask .. urlencode(line)
    end
  end
end

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  load()
  next_query = (id or 0) * 7
end

function request()
  next_query = next_query + 1
  return wrk.format("GET", queries[(next_query % #queries) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format("%d %.1f %.2f %.2f %.2f %.2f %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, errors))
end
