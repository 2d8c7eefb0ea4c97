-- A full submission per pair of requests: POST /demo/api/applications, then POST its transition/submit.
-- wrk runs one connection per thread (-t = -c), so each thread's Lua state holds its own pair.
-- BENCH_PREFIX: where the applications are ("/demo/api" for the app, "/lean" for the benchmark's lean path).
local token = os.getenv("BENCH_TOKEN")
local prefix = os.getenv("BENCH_PREFIX") or "/demo/api"
local body = '{"service": "contributo", "data": {"privacy": true, "nome": "Mario", "cognome": "Rossi", ' ..
  '"codice_fiscale": "RSSMRA80A01H501U", "email": "mario.rossi@example.it", "isee": 8500.0, ' ..
  '"importo_richiesto": 300.0, "iban": "IT60X0542811101000000123456", "motivazione": "Spese scolastiche"}}'
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
local threads = {}
local pending = nil
submitted = 0

function setup(thread)
  table.insert(threads, thread)
end

function request()
  if pending then
    return wrk.format("POST", prefix .. "/applications/" .. pending .. "/transition/submit", headers, "{}")
  end
  return wrk.format("POST", prefix .. "/applications", headers, body)
end

function response(status, _headers, response_body)
  if pending then
    if status == 204 then submitted = submitted + 1 end
    pending = nil
  elseif status == 201 then
    pending = string.match(response_body, '"id":%s*"([0-9a-f-]+)"')
  end
end

function done(_summary, latency, _requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("submitted") end
  io.write(string.format("submissions %d\n", total))
  io.write(string.format("percentiles %d %d %d\n", latency:percentile(50), latency:percentile(95),
                         latency:percentile(99)))
end
