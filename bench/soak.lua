-- bench/soak.lua — wrk script for the worker memory figure (SPEC §10: RSS after
-- 100,000 requests): cycles over the given paths; bench/run.sh stops it (SIGINT) once
-- the pool has served enough requests.
--
--   wrk -s bench/soak.lua -H 'Cookie: ...' URL -- PATH [PATH ...]
--
-- done() prints one line: soak-responses <total> <non-2xx>

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

local paths = {}
responses, failures = 0, 0
local i = 0

function init(args)
    for k = 1, #args do table.insert(paths, args[k]) end
    if #paths == 0 then table.insert(paths, wrk.path) end
end

function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end

function response(status, headers, body)
    responses = responses + 1
    if status >= 300 then failures = failures + 1 end
end

function done(summary, latency, requests)
    local total, bad = 0, 0
    for _, t in ipairs(threads) do
        total = total + (t:get("responses") or 0)
        bad = bad + (t:get("failures") or 0)
    end
    io.write(string.format("soak-responses %d %d\n", total, bad))
end
