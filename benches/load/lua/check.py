#!/usr/bin/env python3
"""Self-check of the load harness's Lua peer (benches/load/lua/mask.lua).

    python3 benches/load/lua/check.py

Starts nginx with the module on a free 127.0.0.1 port in a temp dir, exactly
as the harness configures it (its LUA_NGINX_CONF), in front of an echo
upstream, posts hand-written payloads (Chinese names, nested arrays, numbers,
unicode escapes, empty arrays and objects, free text, headers and query
parameters, refusals, a body spilled to a temp file) and asserts what the
upstream received. Stops nginx by pid at the end, also on failure or Ctrl-C.
Installs the Debian packages it needs when missing (as root), as the harness does.
"""

import importlib.machinery
import importlib.util
import json
import shutil
import signal
import sys
import tempfile
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_harness():
    """The harness itself (benches/load/run, a script without .py): its nginx
    config, process handling and echo upstream, so the check runs what it runs."""
    sys.dont_write_bytecode = True  # no __pycache__ beside the harness
    path = HERE.parent / "run"
    loader = importlib.machinery.SourceFileLoader("load_harness", str(path))
    spec = importlib.util.spec_from_loader("load_harness", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


h = load_harness()
JSON = {"Content-Type": "application/json"}


class Failed(Exception):
    pass


def star(n):
    return "*" * n


# (name, request body, what the upstream must receive). Bodies are bytes as
# sent: some spell characters as \u escapes on purpose.
CASES = [
    ("keyed fields, Chinese names, every category",
     '{"user":{"name":"张三丰","realName":"欧阳娜娜","ID-Number":"11010519900307123X",'
     '"Phone_No":"13812345678","email":"zhangsan@example.com","address":"北京市朝阳区建国路88号",'
     '"birthday":"1990-03-07","passportNo":"E12345678","faceImage":"https://cdn.example/f.jpg",'
     '"设备ID":"abc123","lat":39.9,"lng":-116.25,"cardNo":"6222021234567890123",'
     '"手机号":"13912345678","merchantName":"张三丰小吃店"}}',
     {"user": {"name": "张**", "realName": "欧***", "ID-Number": star(18),
               "Phone_No": "138****5678", "email": "zh" + star(18),
               "address": "北京市朝阳区" + star(6), "birthday": "1990" + star(6),
               "passportNo": star(9), "faceImage": star(len("https://cdn.example/f.jpg")), "设备ID": star(6),
               "lat": star(4), "lng": star(7), "cardNo": star(15) + "0123",
               "手机号": "139****5678", "merchantName": "张三丰小吃店"}}),
    ("short values, numbers, booleans and nulls under keys",
     '{"name":"张三","tel":"12","surname":"王","phone":true,"cell":null,"email":"",'
     '"mobile":13812345678,"card":6222021234567890}',
     {"name": "张*", "tel": "1*", "surname": "*", "phone": "tr**", "cell": None, "email": "",
      "mobile": "138****5678", "card": star(12) + "7890"}),
    ("nested arrays and objects under a key and beside it",
     '{"contacts":[[{"mobile":["13812345678",13912345678,true,null]}],[]],'
     '"mobile":{"home":"13812345678","n":[1,22,{"x":false,"y":"abcdef"}]},'
     '"list":[["13712345678"],{"idNo":["110105199003071234"]}]}',
     {"contacts": [[{"mobile": ["138****5678", "139****5678", True, None]}], []],
      "mobile": {"home": "138****5678", "n": ["*", "2*", {"x": False, "y": "abc***"}]},
      "list": [["137****5678"], {"idNo": [star(18)]}]}),
    ("free text: ids, cards and mobiles by shape, nothing else",
     '{"remark":"客户来电，身份证号110105199003071234，卡号6222021234567890123，电话13812345678。",'
     '"x":"id 11010519900307123x, 11010519900307123X!","order":"订单1381234567800",'
     '"long":"680094161315548843393","eleven":"12345678901","card16":"4111111111111111",'
     '"name_in_text":"客户周芳来电","ip":"10.1.2.3","email_in_text":"mail a@b.com",'
     '"sep":"138-1234-5678","amount":"5708.88"}',
     {"remark": "客户来电，身份证号" + star(18) + "，卡号" + star(15) + "0123，电话138****5678。",
      "x": "id " + star(18) + ", " + star(18) + "!", "order": "订单1381234567800",
      "long": "680094161315548843393", "eleven": "12345678901", "card16": star(12) + "1111",
      "name_in_text": "客户周芳来电", "ip": "10.1.2.3", "email_in_text": "mail a@b.com",
      "sep": "138-1234-5678", "amount": "5708.88"}),
    ("unicode escapes and characters outside the BMP",
     '{"name":"\\u5f20\\u4e09\\u4e30","note":"\\ud83d\\ude00 call 13812345678",'
     '"k\\u00e9y":"v\\n\\t\\"q\\"","realName":"😀😀😀","slash":"a/b\\\\c"}',
     {"name": "张**", "note": "😀 call 138****5678", "kéy": "v\n\t\"q\"", "realName": "😀**",
      "slash": "a/b\\c"}),
    ("numbers round-trip",
     '{"amount":5674.71,"time":1763007320954,"neg":-0.5,"small":1e-7,"zero":0,"t":true,'
     '"f":false,"n":null,"big":12345678901234,"list":[1,2.5,-3]}',
     {"amount": 5674.71, "time": 1763007320954, "neg": -0.5, "small": 1e-7, "zero": 0, "t": True,
      "f": False, "n": None, "big": 12345678901234, "list": [1, 2.5, -3]}),
    ("empty arrays and objects stay what they were",
     '{"a":[],"b":{},"c":[[],{},[ ]],"d":"[]","e":{"mobile":[]},"f":{"g":[{}]},'
     '"h":"say \\"[]\\" and []","mobile":[[],"13812345678"]}',
     {"a": [], "b": {}, "c": [[], {}, []], "d": "[]", "e": {"mobile": []}, "f": {"g": [{}]},
      "h": "say \"[]\" and []", "mobile": [[], "138****5678"]}),
    ("a top-level array", '[{"mobile":"13812345678"},"13912345678",[],{}]',
     [{"mobile": "138****5678"}, "139****5678", [], {}]),
    ("a top-level string", '"call 13812345678"', "call 138****5678"),
    ("a top-level empty array", '[ ]', []),
    ("an empty array beside a long string with escapes",
     '{"a":[],"s":"' + 'x\\"[]' * 40000 + '","mobile":"13812345678"}',
     {"a": [], "s": 'x"[]' * 40000, "mobile": "138****5678"}),
    ("an empty object", '{}', {}),
]


def check_case(port, echo, name, body, expected):
    raw = body.encode()
    status, headers, answer = h.exchange(port, raw, headers=JSON)
    if status != 200:
        raise Failed(f"{name}: answered {status}: {answer[:300]!r}")
    try:
        got = json.loads(answer)
    except ValueError as e:
        raise Failed(f"{name}: the upstream got invalid JSON ({e}): {answer[:300]!r}")
    if got != expected or type(got) is not type(expected):
        raise Failed(f"{name}:\n  expected {json.dumps(expected, ensure_ascii=False)}\n"
                     f"  got      {answer.decode(errors='replace')}")
    if headers.get("x-echo-content-length") != str(len(answer)):
        raise Failed(f"{name}: Content-Length {headers.get('x-echo-content-length')} for a "
                     f"{len(answer)}-byte body")
    return answer


def check_refusals(port, echo):
    cases = [
        ("invalid JSON", b'{"mobile":"13812345678",', JSON, 400),
        ("trailing garbage", b'{"a":1} x', JSON, 400),
        ("NaN is not JSON", b'{"a":NaN}', JSON, 400),
        ("not JSON", b"mobile=13812345678", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ("compressed", b"\x1f\x8b\x08\x00", {"Content-Type": "application/json",
                                             "Content-Encoding": "gzip"}, 415),
        ("too deep", b"[" * 200 + b"]" * 200, JSON, 400),
    ]
    for name, body, headers, want in cases:
        before = echo.requests
        status, _, answer = h.exchange(port, body, headers=headers)
        if status != want:
            raise Failed(f"refusal, {name}: answered {status} (want {want}): {answer[:200]!r}")
        if echo.requests != before:
            raise Failed(f"refusal, {name}: the body was forwarded anyway")
        print(f"ok  refused: {name} ({status})")


def check_header_and_query(port):
    path = h.ROUTE + "?mobile=13812345678&x=1&mobile=13912345678"
    headers = dict(JSON, **{"X-Phone-Number": "13812345678"})
    status, got, answer = h.exchange(port, b'{"a":"b"}', path=path, headers=headers)
    if status != 200:
        raise Failed(f"header and query: answered {status}: {answer[:200]!r}")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(got.get("x-echo-path", "")).query)
    if query.get("mobile") != ["138****5678", "139****5678"] or query.get("x") != ["1"]:
        raise Failed(f"header and query: the upstream got {got.get('x-echo-path')!r}")
    phone = bytes.fromhex(got.get("x-echo-phone", "")).decode()
    if phone != "138****5678":
        raise Failed(f"header and query: X-Phone-Number arrived as {phone!r}")
    print("ok  X-Phone-Number header and ?mobile= masked")


def big_body(records):
    items = [{"name": "李娟", "mobile": "17026393265", "remark": f"订单{i:06d}，电话13812345678",
              "amount": 12.5 + i} for i in range(records)]
    return json.dumps({"records": items, "empty": []}, ensure_ascii=False)


def check_big(port, name):
    records = 4000
    expected = {"records": [{"name": "李*", "mobile": "170****3265",
                             "remark": f"订单{i:06d}，电话138****5678", "amount": 12.5 + i}
                            for i in range(records)], "empty": []}
    body = big_body(records).encode()
    status, _, answer = h.exchange(port, body, headers=JSON)
    if status != 200 or json.loads(answer) != expected:
        raise Failed(f"{name}: {status}, {answer[:200]!r}")
    print(f"ok  {name} ({len(body):,} bytes)")


def main():
    def on_signal(signum, _frame):
        raise SystemExit(f"check: stopped by signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    tmp = Path(tempfile.mkdtemp(prefix="lua-peer-check-"))
    procs = h.Processes()
    echo = None
    try:
        h.ensure_tools(lua=True, wrk=False)
        echo = h.EchoUpstream().start()
        servers = h.Servers(procs, tmp, set(), set())
        servers.start_lua("lua peer", upstream=echo.port)
        port = servers.ports["lua peer"]
        # The same configuration with a small body buffer: bodies beyond it are
        # spilled to a temp file, which the module must read back.
        small = (h.LUA_NGINX_CONF
                 .replace("client_body_buffer_size 8m;", "client_body_buffer_size 16k;")
                 .replace("daemon off;", "daemon off;\nerror_log {dir}/spill.log warn;"))
        assert small.count("16k") == 1 and "spill.log" in small
        servers.start_nginx("lua peer, spilled bodies", small, upstream=echo.port)
        spilled = servers.ports["lua peer, spilled bodies"]

        for name, body, expected in CASES:
            check_case(port, echo, name, body, expected)
            print(f"ok  {name}")
        raw = check_case(port, echo, "raw text", '{"d":"[]","s":"a/b","e":[],"o":{}}',
                         {"d": "[]", "s": "a/b", "e": [], "o": {}})
        if b'"e":[]' not in raw or b'"o":{}' not in raw:
            raise Failed(f"empty containers: {raw!r}")
        check_header_and_query(port)
        check_refusals(port, echo)
        check_big(port, "a large body in memory")
        check_big(spilled, "a large body spilled to a temp file")
        spill_log = h.tail(tmp / "lua-peer,-spilled-bodies" / "spill.log", 100_000)
        if "buffered to a temporary file" not in spill_log:
            raise Failed(f"the body was not spilled to a temp file after all: {spill_log[-500:]}")
        print("all checks passed")
        return 0
    except (Failed, h.HarnessError) as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        procs.stop_all()
        if echo:
            echo.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
