-- wrk script for bench/submit_bench.py (wrk 4, LuaJIT).
--
-- BENCH_MODE=post   POST BENCH_PATH with BENCH_BODY and a fresh Idempotency-Key
--                   per request; with BENCH_CAPTURE set, every 201 reply's
--                   tracking_code and access_token are appended to that file
--                   (one file per wrk thread: BENCH_CAPTURE .. "." .. thread id).
-- BENCH_MODE=track  GET /api/v1/feedback/{code} with "Authorization: Bearer
--                   <token>", cycling through the lines of BENCH_CODES.
-- BENCH_SUMMARY     where done() writes the figures as JSON.
-- BENCH_NONCE       makes keys unique across runs and phases.
-- BENCH_VARY=1      POST varied reports (templates x streets) at varied spots
--                   around Hà Nội instead of BENCH_BODY (the flood case).

local mode = os.getenv("BENCH_MODE") or "post"
local path = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY") or "{}"
local capture = os.getenv("BENCH_CAPTURE")
local codes_file = os.getenv("BENCH_CODES")
local summary_file = os.getenv("BENCH_SUMMARY")
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
local vary = os.getenv("BENCH_VARY") == "1"

local TEMPLATES = {
  { "Đường bị ngập", "Đường %s ngập sâu sau mưa, xe máy không đi được, đề nghị xử lý thoát nước.", "cap-thoat-nuoc" },
  { "Rác thải tồn đọng", "Rác thải tồn đọng nhiều ngày trên phố %s, bốc mùi hôi thối.", "moi-truong" },
  { "Đèn đường hỏng", "Đèn đường trên phố %s hỏng cả tuần nay, buổi tối rất tối.", "dien-chieu-sang" },
  { "Lấn chiếm vỉa hè", "Hàng quán lấn chiếm hết vỉa hè phố %s, người đi bộ phải xuống lòng đường.", "trat-tu-do-thi" },
  { "Ổ gà trên đường", "Mặt đường %s có nhiều ổ gà lớn, xe máy dễ ngã.", "giao-thong" },
  { "Cây xanh nghiêng", "Cây xanh trên phố %s nghiêng nhiều sau bão, có nguy cơ gãy.", "moi-truong" },
  { "Tiếng ồn ban đêm", "Quán karaoke ở phố %s hát đến nửa đêm, ảnh hưởng dân cư.", "an-ninh-trat-tu" },
  { "Nước sinh hoạt đục", "Nước máy khu vực phố %s đục, có cặn vàng mấy ngày nay.", "cap-thoat-nuoc" },
  { "Xây dựng trái phép", "Công trình ở phố %s xây thêm tầng không phép.", "trat-tu-do-thi" },
  { "Biển báo bị che", "Biển báo giao thông ở phố %s bị cây che khuất hoàn toàn.", "giao-thong" },
}
local STREETS = { "Trần Hưng Đạo", "Lê Duẩn", "Kim Mã", "Láng Hạ", "Nguyễn Trãi", "Giải Phóng",
                  "Hoàng Quốc Việt", "Xuân Thủy", "Bạch Mai", "Tôn Đức Thắng", "Cầu Giấy", "Đội Cấn" }

local function varied_body()
  local t = TEMPLATES[math.random(#TEMPLATES)]
  local street = STREETS[math.random(#STREETS)]
  local lat = 20.95 + math.random() * 0.12
  local lon = 105.75 + math.random() * 0.12
  return string.format(
    '{"title":"%s","content":"%s","category":"%s","location":{"lat":%.6f,"lon":%.6f,"address":"%s, Hà Nội"},' ..
    '"contact":{"name":"An","phone":"0912345678"}}',
    t[1], string.format(t[2], street), t[3], lat, lon, street)
end

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

-- Per-thread state (each wrk thread has its own Lua state).
local seq = 0
local codes = {}
local next_code = 1
local out = nil
local written = 0
-- Global, so that done() can read each thread's copy with thread:get().
statuses = {}

function init(args)
  if mode == "track" then
    for line in io.lines(codes_file) do
      local code, token = line:match("^(%S+)%s+(%S+)$")
      if code then
        table.insert(codes, { "/api/v1/feedback/" .. code, "Bearer " .. token })
      end
    end
    if #codes == 0 then
      error("no tracking codes in " .. tostring(codes_file))
    end
    -- Threads start at different places in the list.
    next_code = ((id - 1) * 7919) % #codes + 1
  else
    math.randomseed(id * 104729 + os.time())
  end
  if mode ~= "track" and capture then
    out = assert(io.open(capture .. "." .. id, "a"))
  end
end

function request()
  if mode == "track" then
    local item = codes[next_code]
    next_code = next_code % #codes + 1
    return wrk.format("GET", item[1], { ["Authorization"] = item[2] })
  end
  seq = seq + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%s-%d-%d", nonce, id, seq),
  }
  return wrk.format("POST", path, headers, vary and varied_body() or body)
end

function response(status, headers, resp_body)
  statuses[status] = (statuses[status] or 0) + 1
  if out and status == 201 then
    local code = resp_body:match('"tracking_code"%s*:%s*"([^"]+)"')
    local token = resp_body:match('"access_token"%s*:%s*"([^"]+)"')
    if code and token then
      out:write(code, " ", token, "\n")
      written = written + 1
      if written % 256 == 0 then out:flush() end
    end
  end
end

function done(summary, latency, requests)
  local by_status = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses") or {}) do
      local key = tostring(code)
      by_status[key] = (by_status[key] or 0) + count
    end
  end
  local status_parts = {}
  for code, count in pairs(by_status) do
    table.insert(status_parts, string.format('"%s": %d', code, count))
  end
  local e = summary.errors
  local json = string.format(
    '{"duration_us": %d, "requests": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"min": %d, "mean": %.1f, "stdev": %.1f, "max": %d, ' ..
    '"p50": %d, "p90": %d, "p99": %d, "p999": %d}, "statuses": {%s}}',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    table.concat(status_parts, ", "))
  if summary_file then
    local f = assert(io.open(summary_file, "w"))
    f:write(json, "\n")
    f:close()
  else
    io.write(json, "\n")
  end
end
