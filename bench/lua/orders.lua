-- wrk script for bench/trading_gateway.py: orders through the gateway, JWT-authenticated.
--
-- Traders' access tokens come from the file named by BENCH_TOKENS (one per line).
-- Requests go round the traders in a cycle of eight:
--   2 resting buys  (LIMIT GTC 0.01..20.00 AED under the mid)      POST /orders
--   2 resting sells (LIMIT GTC 0.01..20.00 AED over the mid)       POST /orders
--   1 crossing buy, 1 crossing sell (LIMIT IOC 50 AED through the mid: fill a resting one)
--   2 cancels of resting orders seen in earlier answers (their owner's token)  DELETE
-- and a resting slot becomes a cancel while more than MAX_OPEN orders wait for one.
-- Resting orders never cross each other; the crossing ones fill them, so books and open
-- orders stay bounded. The owner of an answer is known from its clientOrderId
-- ("u<trader>-<run>-<n>"). A cancel of an order filled meanwhile answers 404 ORDER_NOT_FOUND:
-- counted apart (cancel_gone), not as an error. done() prints one line of JSON counts.

local tokens = {}
local n = 0
local pending = {}        -- ring of {trader, orderId} to cancel
local head, tail = 0, 0
local MAX_PENDING = 20000
local MAX_OPEN = 640      -- resting orders awaiting a cancel (the engine allows 200 per trader)
counts = {placed = 0, resting = 0, filled = 0, expired = 0, partial = 0, canceled = 0,
          cancel_gone = 0, errors = 0}   -- flat: wrk's thread:get copies no nested table

local MID = 250000       -- AED
local path_orders = "/api/trading/v1/orders"

function init(args)
  local file = assert(io.open(os.getenv("BENCH_TOKENS"), "r"))
  for line in file:lines() do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  file:close()
  math.randomseed(12345)
  run = os.time() % 1000000  -- client order ids stay unique across runs (warm-up, measure)
end

local function headers(trader)
  return {["Authorization"] = "Bearer " .. tokens[trader],
          ["Content-Type"] = "application/json"}
end

local function price(offset_cents)
  local cents = MID * 100 + offset_cents
  return string.format("%d.%02d", math.floor(cents / 100), cents % 100)
end

local function order(trader, side, px, qty, tif)
  local body = string.format(
    '{"symbol":"BTC/AED","side":"%s","type":"LIMIT","timeInForce":"%s",'
    .. '"price":"%s","quantity":"%s","newClientOrderId":"u%d-%d"}',
    side, tif, px, qty, trader, n)
  return wrk.format("POST", path_orders, headers(trader), body)
end

function request()
  n = n + 1
  local trader = (n % #tokens) + 1
  local step = n % 8
  if (step >= 6 or tail - head > MAX_OPEN) and head < tail then
    local item = pending[head]
    pending[head] = nil
    head = head + 1
    return wrk.format("DELETE", path_orders .. "/" .. item[2] .. "?symbol=BTC%2FAED",
                      headers(item[1]), nil)
  end
  if step == 4 then return order(trader, "BUY", price(5000), "0.001", "IOC") end
  if step == 5 then return order(trader, "SELL", price(-5000), "0.001", "IOC") end
  local offset = math.random(1, 2000)
  if step % 2 == 0 then return order(trader, "BUY", price(-offset), "0.001", "GTC") end
  return order(trader, "SELL", price(offset), "0.001", "GTC")
end

function response(status, hdrs, body)
  local key = "status_" .. status
  counts[key] = (counts[key] or 0) + 1
  if status == 201 then
    counts.placed = counts.placed + 1
    local state = body:match('"status":"([%u_]+)"')
    if state == "NEW" or state == "PARTIALLY_FILLED" then
      counts.resting = counts.resting + 1
      local trader = tonumber(body:match('"clientOrderId":"u(%d+)%-'))
      local id = body:match('"orderId":(%d+)')
      if trader and id and tail - head < MAX_PENDING then
        pending[tail] = {trader, id}
        tail = tail + 1
      end
    elseif state == "FILLED" then counts.filled = counts.filled + 1
    elseif state == "EXPIRED" then counts.expired = counts.expired + 1 end
  elseif status == 200 and body:find('"status":"CANCELED"', 1, true) then
    counts.canceled = counts.canceled + 1
  elseif status == 404 and body:find("ORDER_NOT_FOUND", 1, true) then
    counts.cancel_gone = counts.cancel_gone + 1
  else
    counts.errors = counts.errors + 1
    if counts.errors <= 3 then io.stderr:write(status .. " " .. body .. "\n") end
  end
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  parts[#parts + 1] = string.format('"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d',
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max)
  io.write("BENCH_COUNTS {" .. table.concat(parts, ",") .. "}\n")
end
