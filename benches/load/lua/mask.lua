-- The Lua peer of the load harness: what a team would deploy instead of
-- pii-proxy, an API-gateway plugin in the Kong / APISIX style, on nginx +
-- lua-nginx-module (Debian's libnginx-mod-http-lua, LuaJIT) with lua-cjson.
--
-- In the access phase, before `proxy_pass`:
--   1. read the request body (in memory, or from the temp file nginx spilled it to);
--   2. decode it with cjson;
--   3. walk the tree: a value under a key of the demo policy's field rules
--      (rules/demo.yaml `fields:`, i.e. pii-proxy's built-in key dictionaries)
--      is masked with that rule's shape; every other string gets one PCRE-JIT
--      pass (`ngx.re.find`, "jo", resumed after each match) masking free-text
--      mobile numbers, 18-character CN resident ids and 16-19 digit bank cards;
--   4. re-encode with cjson and set the new body (and its Content-Length).
-- Masks count characters (UTF-8 code points), not bytes: 张三丰 → 张**.
--
-- A mask-only peer: where the demo policy encrypts, tokenizes, hashes, redacts
-- or drops, this masks (the shapes of benches/load/demo-mask-only.yaml, the
-- pii-proxy policy it is compared with). Deliberately NOT here, as in the
-- plugins it stands for: checksums (no Luhn, no GB 11643 check digit: any
-- digit run of the right shape is masked), names / addresses / e-mails / IPs in
-- free text, key-scoped detection (`customerRealName`), numbers written with
-- separators (`138-1234-5678`, `+86 138...`), evasion (full-width digits,
-- invisible characters), UTF-8 validation, audit, consent.
--
-- What cjson (Debian's lua-cjson 2.1.0) changes on the way: object key order
-- (Lua tables have none), `/` written as `\/`, numbers re-printed with at most
-- 14 significant digits (longer ones are rounded: its precision cap), non-ASCII
-- passed through raw. Empty arrays survive (see EMPTY below): this cjson has
-- no array metatable and would write `[]` as `{}`.

local cjson = require("cjson.safe").new()

local find, sub, rep, byte, gsub, lower, format =
    string.find, string.sub, string.rep, string.byte, string.gsub, string.lower, string.format
local type, pairs, tonumber, tostring = type, pairs, tonumber, tostring
local floor = math.floor
local concat = table.concat
local re_find, re_gsub = ngx.re.find, ngx.re.gsub
local req = ngx.req
local var = ngx.var

cjson.decode_max_depth(128)            -- as pii-proxy's `limits.max_depth`
cjson.encode_max_depth(128)
cjson.decode_invalid_numbers(false)    -- strict JSON: no NaN, Infinity, 0x10
cjson.encode_invalid_numbers(false)
cjson.encode_number_precision(14)      -- the most this cjson allows
cjson.encode_keep_buffer(true)         -- one encode buffer per worker, reused

local M = {}

-- ------------------------------------------------------------------ policy

-- Mask shapes {keep_first, keep_last} per category: rules/demo.yaml's
-- `fields:`, every action as a mask (tokenize {keep_last: 4} keeps the last
-- four; encrypt, hash, redact and drop leave nothing readable: all masked).
local SHAPES = {
  name       = {1, 0},   -- mask {keep_first: 1} ($.user.name and the name keys)
  id_number  = {0, 0},   -- encrypt ($..id_number and the id keys)
  bank_card  = {0, 4},   -- tokenize {keep_last: 4}
  phone      = {3, 4},   -- mask {keep_first: 3, keep_last: 4}
  email      = {2, 0},   -- mask {keep_first: 2}
  address    = {6, 0},   -- mask {keep_first: 6}
  biometric  = {0, 0},   -- drop
  device     = {0, 0},   -- hash
  location   = {0, 0},   -- redact
  birth_date = {4, 0},   -- mask {keep_first: 4}
  passport   = {0, 0},   -- encrypt
}

-- The keys of the demo's `keys: builtin` rules: pii-proxy's dictionaries
-- (src/vocab.rs), as written there. Compared as pii-proxy compares them:
-- ASCII letters lowercased, `_`, `-`, `.` and spaces removed.
local KEYS = {
  id_number = {
    "id_number", "idNumber", "idNo", "id_no", "idCard", "id_card", "idCardNo", "id_card_no",
    "idCardNumber", "identityNo", "identity_number", "identityCard", "certNo", "cert_no",
    "certificateNo", "certificate_number", "certId", "residentId", "resident_id", "nationalId",
    "national_id", "citizenId", "sfz", "sfzh", "sfzhm", "shenfenzheng", "shenfenzhenghao",
    "zjhm", "身份证", "身份证号", "身份证号码", "证件号", "证件号码", "居民身份证", "公民身份号码",
  },
  bank_card = {
    "card", "cardNo", "card_no", "cardNum", "cardNumber", "card_number", "bankCard",
    "bank_card", "bankCardNo", "bank_card_no", "bankCardNumber", "bankAccount", "bank_account",
    "bankAccountNo", "accountNo", "account_no", "acctNo", "acct_no", "pan",
    "primaryAccountNumber", "creditCard", "debitCard", "yhkh", "yinhangka", "yinhangkahao",
    "银行卡", "银行卡号", "卡号", "银行账号", "账号", "信用卡号", "借记卡号",
  },
  phone = {
    "phone", "phoneNo", "phone_no", "phoneNumber", "phone_number", "mobile", "mobileNo",
    "mobile_no", "mobilePhone", "mobileNumber", "cellphone", "cell", "tel", "telephone",
    "telNo", "contactPhone", "contact_phone", "contactMobile", "receiverPhone",
    "receiverMobile", "msisdn", "shouji", "shoujihao", "sjh", "lxdh", "dianhua", "手机", "手机号",
    "手机号码", "电话", "电话号码", "联系电话", "联系方式", "移动电话",
  },
  email = {
    "email", "e_mail", "emailAddress", "email_address", "mail", "mailbox", "youxiang", "邮箱",
    "电子邮箱", "电子邮件", "邮件地址",
  },
  name = {
    "name", "realName", "real_name", "fullName", "full_name", "userName", "user_name",
    "customerName", "customer_name", "holderName", "cardHolder", "cardholderName",
    "accountName", "account_name", "payerName", "payeeName", "receiverName", "contactName",
    "contact_name", "firstName", "lastName", "surname", "givenName", "legalName", "xingming",
    "xm", "姓名", "真实姓名", "名字", "客户姓名", "持卡人", "持卡人姓名", "户名", "联系人", "收货人",
    "收款人", "付款人",
  },
  address = {
    "address", "addr", "homeAddress", "home_address", "streetAddress", "street", "residence",
    "residentialAddress", "mailingAddress", "shippingAddress", "shipping_address",
    "billingAddress", "deliveryAddress", "receiverAddress", "detailAddress", "addressLine",
    "addressLine1", "addressLine2", "dizhi", "zhuzhi", "地址", "住址", "家庭住址", "居住地址",
    "收货地址", "详细地址", "通讯地址", "户籍地址",
  },
  birth_date = {
    "birthday", "birthDate", "birth_date", "dateOfBirth", "date_of_birth", "dob", "birth",
    "shengri", "csrq", "出生日期", "生日", "出生年月",
  },
  passport = {
    "passport", "passportNo", "passport_no", "passportNumber", "passport_number", "huzhao",
    "hzh", "护照", "护照号", "护照号码",
  },
  biometric = {
    "faceImage", "face_image", "face", "facePhoto", "facePic", "faceData", "faceFeature",
    "faceTemplate", "selfie", "livenessImage", "portrait", "fingerprint", "finger_print",
    "fingerprintTemplate", "fingerprintData", "iris", "irisTemplate", "voiceprint",
    "palmprint", "biometric", "biometrics", "biometricData", "renlian", "zhiwen", "人脸",
    "人脸照片", "人脸图像", "人脸特征", "指纹", "指纹模板", "虹膜", "声纹", "掌纹",
  },
  device = {
    "deviceId", "device_id", "deviceNo", "deviceFingerprint", "imei", "imsi", "meid", "iccid",
    "idfa", "idfv", "oaid", "androidId", "android_id", "macAddress", "mac_address", "mac",
    "serialNumber", "udid", "shebeihao", "设备号", "设备标识", "设备ID",
  },
  location = {
    "latitude", "longitude", "lat", "lng", "lon", "geo", "geoLocation", "gps", "coordinates",
    "location", "position", "weidu", "jingdu", "纬度", "经度", "位置", "地理位置", "定位",
  },
}

-- The demo's detectors this peer has, with their mask shapes: one PCRE
-- alternation, so each string is scanned once. Digit boundaries on both
-- sides; a CN resident id is 6 digits, a birth date 18xx-20xx with a valid
-- month and day, 3 digits and a check character (not verified); a bank card
-- any 16-19 digit run; a mobile 1[3-9] and 9 digits. Longest first: an
-- 18-digit run that is not shaped like an id is read as a card.
local FREE_TEXT = [=[(?<![0-9])(?:([1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])]=]
  .. [=[(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx])|([0-9]{16,19})|(1[3-9][0-9]{9}))(?![0-9])]=]
-- Which alternative matched, told from the match: 11 characters is a mobile,
-- 18 shaped like an id is an id (that alternative is tried first), else a card.
local ID_ONLY = [=[^[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]$]=]
local SHORTEST_MATCH = 11                 -- a mobile number: shorter strings are not scanned

-- Headers and query parameters of the demo policy.
local HEADER_PHONE = SHAPES.phone         -- X-Phone-Number
local QUERY_PHONE = SHAPES.phone          -- ?mobile=

local function normalize(key)
  return lower((gsub(key, "[_%-%. ]", "")))
end

local KEY_SHAPE = {}                      -- normalized key → shape
for category, words in pairs(KEYS) do
  local shape = assert(SHAPES[category], category)
  for _, word in pairs(words) do
    KEY_SHAPE[normalize(word)] = shape
  end
end

-- Keys as written → shape or false. A payload repeats a few dozen keys, so
-- most lookups are one hash probe; bounded, since keys come from clients.
local key_cache, key_cache_n, KEY_CACHE_MAX = {}, 0, 4096

local function shape_of(key)
  local shape = key_cache[key]
  if shape == nil then
    shape = KEY_SHAPE[normalize(key)] or false
    if key_cache_n >= KEY_CACHE_MAX then
      key_cache, key_cache_n = {}, 0
    end
    key_cache[key] = shape
    key_cache_n = key_cache_n + 1
  end
  return shape
end

-- ------------------------------------------------------------------ masking

-- Masks `s` by characters (UTF-8 code points), keeping `first` and `last` of
-- them. As pii-proxy's mask: at least one character is always masked, and at
-- least half of a value too short for the shape.
local function mask(s, first, last)
  local n = #s
  if n == 0 then
    return s
  end
  local count = 0
  for k = 1, n do -- a byte loop, which LuaJIT compiles (Lua patterns it does not)
    local b = byte(s, k)
    if b < 0x80 or b >= 0xC0 then -- not a continuation byte: a character starts here
      count = count + 1
    end
  end
  local ascii = count == n
  if first + last >= count then
    local max_kept = floor(count / 2)
    if first + last > max_kept then
      if first > max_kept then first = max_kept end
      if last > max_kept - first then last = max_kept - first end
    end
  end
  if ascii then
    return sub(s, 1, first) .. rep("*", count - first - last) .. sub(s, n - last + 1)
  end
  -- Byte offsets of the first kept characters' end and the last ones' start.
  local i = 1
  for _ = 1, first do
    i = i + 1
    local b = byte(s, i)
    while b and b >= 0x80 and b < 0xC0 do
      i = i + 1
      b = byte(s, i)
    end
  end
  local j = n + 1
  for _ = 1, last do
    j = j - 1
    local b = byte(s, j)
    while j > 1 and b >= 0x80 and b < 0xC0 do
      j = j - 1
      b = byte(s, j)
    end
  end
  return sub(s, 1, i - 1) .. rep("*", count - first - last) .. sub(s, j)
end
M.mask = mask

-- The text of a number as JSON had it, as near as a double allows: integers
-- in full, fractions in their shortest form that reads back the same.
local function number_text(x)
  if x == floor(x) and x > -2^53 and x < 2^53 then
    return format("%d", x)
  end
  for digits = 14, 17 do
    local s = format("%." .. digits .. "g", x)
    if tonumber(s) == x then
      return s
    end
  end
  return tostring(x)
end

local PHONE, ID, CARD = SHAPES.phone, SHAPES.id_number, SHAPES.bank_card
local scan_ctx = {pos = 1}
local parts = {}

-- One PCRE-JIT pass over a string no key rule matched: `ngx.re.find` ("jo",
-- compiled once per worker), resumed after each match, the string rebuilt
-- only when something matched. (`ngx.re.gsub` with a function does the same
-- pass but costs ~1 µs per call even when nothing matches, against ~0.1 µs
-- here; most strings hold nothing.)
local function scan(s)
  if #s < SHORTEST_MATCH then
    return s
  end
  scan_ctx.pos = 1
  local from, to, err = re_find(s, FREE_TEXT, "jo", scan_ctx)
  if not from then
    if err then
      error("free-text pattern: " .. err)
    end
    return s
  end
  local n, pos = 0, 1
  repeat
    local m = sub(s, from, to)
    local len = to - from + 1
    local shape = CARD
    if len == 11 then
      shape = PHONE
    elseif len == 18 and re_find(m, ID_ONLY, "jo") then
      shape = ID
    end
    parts[n + 1] = sub(s, pos, from - 1)
    parts[n + 2] = mask(m, shape[1], shape[2])
    n = n + 2
    pos = to + 1
    from, to, err = re_find(s, FREE_TEXT, "jo", scan_ctx)  -- scan_ctx.pos is past the match
  until not from
  if err then
    error("free-text pattern: " .. err)
  end
  parts[n + 1] = sub(s, pos)
  local out = concat(parts, "", 1, n + 1)
  for k = 1, n + 1 do
    parts[k] = nil
  end
  return out
end
M.scan = scan

-- ------------------------------------------------------------------ empty arrays

-- This cjson decodes `[]` and `{}` to the same empty table and writes both
-- as `{}`. Bodies holding an empty array (outside strings) get it replaced by
-- a one-element array of EMPTY before decoding, and the encoded form back by
-- `[]` after; the walk leaves EMPTY alone. A random suffix (letters only:
-- nothing the free-text pattern could match) chosen at start keeps a client
-- from sending it on purpose.
math.randomseed(ngx.now() * 1000 + ngx.worker.pid())
local suffix = {}
for k = 1, 20 do
  suffix[k] = string.char(97 + math.random(0, 25))
end
local EMPTY = "\0lua-peer-empty-array-" .. concat(suffix)
local EMPTY_JSON = "[" .. cjson.encode(EMPTY) .. "]"
local EMPTY_PATTERN = (gsub(EMPTY_JSON, "%W", "%%%0"))
local STRING_OR_EMPTY_ARRAY = [=["(?:[^"\\]++|\\.)*+"|\[\s*\]]=]  -- possessive: no backtracking
local EMPTY_ARRAY = [=[\[\s*\]]=]      -- the cheap test first: PCRE-JIT, not a Lua pattern

local function keep_strings(m)
  local s = m[0]
  if byte(s, 1) == 34 then -- '"': a string, kept as it is
    return s
  end
  return EMPTY_JSON
end

-- ------------------------------------------------------------------ the walk

-- Everything under a key of a field rule: masked whole with its shape
-- (numbers and booleans as their text, as pii-proxy does; inside arrays and
-- objects every string and number, booleans and nulls kept).
local function mask_all(v, shape, top)
  local t = type(v)
  if t == "string" then
    if v == EMPTY then
      return v
    end
    return mask(v, shape[1], shape[2])
  elseif t == "number" then
    return mask(number_text(v), shape[1], shape[2])
  elseif t == "table" then
    for k, x in pairs(v) do
      v[k] = mask_all(x, shape, false)
    end
    return v
  elseif t == "boolean" and top then
    return mask(tostring(v), shape[1], shape[2])
  end
  return v -- null (cjson.null)
end

local function walk(node)
  for k, v in pairs(node) do
    local shape = type(k) == "string" and shape_of(k)
    if shape then
      node[k] = mask_all(v, shape, true)
    else
      local t = type(v)
      if t == "string" then
        if #v >= SHORTEST_MATCH and v ~= EMPTY then
          node[k] = scan(v)
        end
      elseif t == "table" then
        walk(v)
      end
    end
  end
end

-- Protects one JSON document; returns the new text, or nil and an error.
function M.protect(body)
  local marked = false
  if re_find(body, EMPTY_ARRAY, "jo") then
    local out, n, err = re_gsub(body, STRING_OR_EMPTY_ARRAY, keep_strings, "jos")
    if not out then
      return nil, "empty arrays: " .. tostring(err)
    end
    body = out
    marked = n > 0
  end
  local doc, err = cjson.decode(body)
  if doc == nil then
    return nil, "invalid JSON: " .. tostring(err)
  end
  local t = type(doc)
  if t == "table" then
    walk(doc)
  elseif t == "string" then
    doc = scan(doc)
  end
  local out, eerr = cjson.encode(doc)
  if not out then
    return nil, "cannot encode: " .. tostring(eerr)
  end
  if marked and find(out, EMPTY_JSON, 1, true) then
    out = gsub(out, EMPTY_PATTERN, "[]")
  end
  return out
end

-- ------------------------------------------------------------------ the request

local function refuse(status, code)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.print('{"error":"', code, '"}')
  return ngx.exit(status)
end

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then
    return nil, err
  end
  local data = f:read("*a")
  f:close()
  return data
end

-- access_by_lua: protect the body (and the demo's header and query
-- parameter), or refuse the request. Fails closed: a body it cannot read,
-- decode or protect is not forwarded.
function M.access()
  local phone = var.http_x_phone_number
  if phone then
    req.set_header("X-Phone-Number", mask(phone, HEADER_PHONE[1], HEADER_PHONE[2]))
  end
  if var.arg_mobile then
    local args = req.get_uri_args(100)
    local v = args.mobile
    if type(v) == "table" then
      for i = 1, #v do
        if type(v[i]) == "string" then
          v[i] = mask(v[i], QUERY_PHONE[1], QUERY_PHONE[2])
        end
      end
    elseif type(v) == "string" then
      args.mobile = mask(v, QUERY_PHONE[1], QUERY_PHONE[2])
    end
    req.set_uri_args(args)
  end

  req.read_body()
  local body = req.get_body_data()
  if not body then
    local path = req.get_body_file()   -- larger than client_body_buffer_size
    if not path then
      return                           -- no body
    end
    local err
    body, err = read_file(path)
    if not body then
      ngx.log(ngx.ERR, "lua peer: cannot read the spilled body: ", err)
      return refuse(500, "body_read_error")
    end
  end
  local encoding = var.http_content_encoding
  if encoding and encoding ~= "identity" then
    return refuse(415, "encoded_body") -- cannot inspect it: not forwarded
  end
  local ctype = var.content_type
  if ctype and not find(lower(ctype), "json", 1, true) then
    return refuse(415, "not_json")
  end
  local out, err = M.protect(body)
  if not out then
    ngx.log(ngx.INFO, "lua peer: refused: ", err)
    return refuse(400, "invalid_json")
  end
  req.set_body_data(out)
  req.set_header("Content-Length", #out)
end

return M
