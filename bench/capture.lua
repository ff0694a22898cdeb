-- wrk script of make bench's capture scenario (bench/scenarios/12-capture.sh, decision 0022).
--   CAPTURE_TRAFFIC=FILE CAPTURE_AGENTS=all|single [CAPTURE_AGENT=UA] wrk … -s bench/capture.lua URL
-- FILE (bench.jar capture-traffic) has one "agent TAB address" line per request. Every request
-- carries its line's address in X-Forwarded-For; with "all" it carries its line's agent, with
-- "single" the one CAPTURE_AGENT instead. (Settings come from the environment: wrk's own "-- args"
-- would have to follow the URL, which bench/lib.sh's wrk_run puts last.) Both modes build the same number of requests up front
-- in init, and request() only hands out the next one, so wrk does the same work per request for the
-- router with capture and the router without.
local requests = {}
local count = 0
local index = 0

init = function()
    local file, mode, single = os.getenv("CAPTURE_TRAFFIC"), os.getenv("CAPTURE_AGENTS"), os.getenv("CAPTURE_AGENT")
    if file == nil or (mode ~= "all" and mode ~= "single") or (mode == "single" and single == nil) then
        error("set CAPTURE_TRAFFIC=FILE and CAPTURE_AGENTS=all, or CAPTURE_AGENTS=single and CAPTURE_AGENT=UA")
    end
    for line in io.lines(file) do
        local agent, address = line:match("^([^\t]*)\t([^\t]+)$")
        if agent == nil then
            error("bad line in " .. file .. ": " .. line)
        end
        local headers = { ["Host"] = wrk.headers["Host"], ["X-Forwarded-For"] = address }
        headers["User-Agent"] = mode == "all" and agent or single
        count = count + 1
        requests[count] = wrk.format("GET", wrk.path, headers)
    end
    if count == 0 then
        error(file .. " holds no requests")
    end
end

request = function()
    index = index % count + 1
    return requests[index]
end
