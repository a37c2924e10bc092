-- bench/webhook.lua — wrk script for the webhook ingestion figure (SPEC §10): every
-- request is a Vapi end-of-call report for a call of its own, so every body (and so
-- every event key) is unique.
--
--   wrk -s bench/webhook.lua -H 'X-Vapi-Secret: ...' URL -- TAG STARTED ENDED fresh
--   wrk -s bench/webhook.lua -H 'X-Vapi-Secret: ...' URL -- TAG STARTED ENDED replay K
--
-- STARTED and ENDED are the calls' ISO-8601 times (a live provider reports calls that
-- just ended, so the bench passes the last minutes).
--
-- "fresh" numbers each thread's events 1, 2, 3, ...; "replay" sends again the first K
-- events of each thread, byte for byte (a provider retrying), which must change
-- nothing. Call ids are "bench-TAG-<thread>-<n>". done() prints one line:
--   webhook-issued <total requests written> <fewest written by one thread>
-- wrk calls request() once in its first thread before the run, to check the request
-- (script_verify_request); that call gets event 0, which is never sent and not counted.

local threads = {}
local counter = 1

function setup(thread)
    thread:set("tid", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

local tag, started, ended, mode, cycle
local verified = false
issued = 0

function init(args)
    tag = args[1] or "x"
    started = args[2] or "2026-01-01T10:00:00.000Z"
    ended = args[3] or "2026-01-01T10:01:05.000Z"
    mode = args[4] or "fresh"
    cycle = tonumber(args[5] or "0") or 0
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
end

local template = '{"message":{"type":"end-of-call-report","call":{"id":"bench-%s-%d-%d",'
    .. '"type":"inboundPhoneCall","customer":{"number":"+1415555%04d","name":"Bench Caller %d"},'
    .. '"phoneNumber":{"number":"+12125550142"}},'
    .. '"startedAt":"%s","endedAt":"%s",'
    .. '"endedReason":"customer-ended-call","durationSeconds":65,'
    .. '"artifact":{"messages":['
    .. '{"role":"user","message":"Hello, I would like to book a viewing for Saturday.","secondsFromStart":1.5},'
    .. '{"role":"bot","message":"Of course. Morning or afternoon?","secondsFromStart":4.25},'
    .. '{"role":"user","message":"Morning, please.","secondsFromStart":7.0}]},'
    .. '"analysis":{"summary":"The caller booked a Saturday morning viewing."}}}'

function request()
    local n
    if tid == 1 and not verified then
        verified = true
        n = 0
    elseif mode == "replay" then
        n = issued % cycle + 1
    else
        n = issued + 1
    end
    if n > 0 then issued = issued + 1 end
    local body = string.format(template, tag, tid, n, n % 10000, n, started, ended)
    return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
    local total, fewest = 0, nil
    for _, t in ipairs(threads) do
        local n = t:get("issued") or 0
        total = total + n
        if fewest == nil or n < fewest then fewest = n end
    end
    io.write(string.format("webhook-issued %d %d\n", total, fewest or 0))
end
