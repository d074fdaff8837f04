#!/usr/bin/env python3
"""Held-out evaluation corpus #3 for the PII-masking proxy.

Standard library only and fully deterministic: the same HELDOUT3_SEED gives a
byte-identical output file.  See README.md in this directory for the format,
the API shapes (with the public sources of their field names), the category and
decoy definitions and the placements.

Environment:
  HELDOUT3_SEED  integer seed            (default 20261204)
  HELDOUT3_OUT   output path             (default tests/heldout3/corpus.jsonl,
                                          relative paths are taken from the
                                          repository root = ../.. of this file)
  HELDOUT3_DOCS  number of documents     (default 900)
"""

import base64
import datetime
import json
import os
import random
import re
import struct
import urllib.parse
import zlib

# ---------------------------------------------------------------------------
# document tree nodes
# ---------------------------------------------------------------------------

CATEGORIES = ["name", "id_number", "bank_card", "phone", "email", "ip", "passport",
              "birth_date", "address", "biometric", "device", "location"]
PLACEMENTS = ["plain", "number", "abbrev_key", "romanized", "free_text", "json_in_string",
              "url_encoded", "base64_kv", "base64_json"]
PREC = {p: i for i, p in enumerate(PLACEMENTS)}


class P:
    """A personal value.  kind: plain | number | abbrev_key | romanized."""
    __slots__ = ("value", "cat", "kind")

    def __init__(self, value, cat, kind=None):
        assert cat in CATEGORIES, cat
        if kind is None:
            kind = "number" if isinstance(value, (int, float)) else "plain"
        self.value, self.cat, self.kind = value, cat, kind


class D:
    """A decoy: must survive a good tool verbatim."""
    __slots__ = ("value", "kind", "akey")

    def __init__(self, value, kind, akey=False):
        self.value, self.kind, self.akey = value, kind, akey


class T:
    """Free text (sentence, remark, chat message): parts are str | P | D."""
    __slots__ = ("parts",)

    def __init__(self, *parts):
        self.parts = [p for p in parts if p != ""]


class C:
    """Concatenation that is not prose (e.g. 'O,0,1,name,1,id,mobile,N')."""
    __slots__ = ("parts",)

    def __init__(self, *parts):
        self.parts = [p for p in parts if p != ""]


class Style:
    __slots__ = ("sep", "ea", "indent")

    def __init__(self, sep=(",", ":"), ea=False, indent=None):
        self.sep, self.ea, self.indent = sep, ea, indent


class J:
    """JSON text held inside a string field."""
    __slots__ = ("node", "style")

    def __init__(self, node, style=None):
        self.node, self.style = node, style or Style()


class KV:
    """k=v&k=v percent-encoded text.  pairs: list of (key, node)."""
    __slots__ = ("pairs", "plus")

    def __init__(self, pairs, plus=True):
        assert len(pairs) >= 2
        self.pairs, self.plus = pairs, plus


class B64:
    """base64 of JSON (node is dict/list) or of k=v text (node is KV)."""
    __slots__ = ("node", "style")

    def __init__(self, node, style=None):
        self.node, self.style = node, style or Style()


MASK = "\u2592\u2592"  # what the "perfect tool" leaves where a personal value was


def dumps(obj, style):
    return json.dumps(obj, ensure_ascii=style.ea, separators=style.sep, indent=style.indent)


def ptext(v):
    return v if isinstance(v, str) else json.dumps(v)


class Renderer:
    """Renders a tree.  mode 'real' records labels/decoys; mode 'erased' replaces
    every personal value by MASK (the output of an ideal tool)."""

    def __init__(self, mode):
        self.mode = mode
        self.labels = []   # (value, category, placement)
        self.decoys = []   # (value, kind, placement)

    @staticmethod
    def place(kind, enc):
        best = kind
        for e in enc:
            if PREC[e] > PREC[best]:
                best = e
        return best

    def _p(self, node, enc, kind_override=None):
        kind = kind_override or node.kind
        if self.mode == "real":
            self.labels.append((ptext(node.value), node.cat, self.place(kind, enc)))
            return node.value
        return 0 if (isinstance(node.value, (int, float)) and kind_override is None) else MASK

    def _d(self, node, enc, in_text=False):
        if self.mode == "real":
            if in_text:
                k = "free_text"
            elif isinstance(node.value, (int, float)):
                k = "number"
            else:
                k = "abbrev_key" if node.akey else "plain"
            self.decoys.append((ptext(node.value), node.kind, self.place(k, enc)))
        return node.value

    def val(self, node, enc=()):
        if isinstance(node, dict):
            return {k: self.val(v, enc) for k, v in node.items()}
        if isinstance(node, list):
            return [self.val(v, enc) for v in node]
        if isinstance(node, P):
            return self._p(node, enc)
        if isinstance(node, D):
            return self._d(node, enc)
        if isinstance(node, T):
            return "".join(self._part(p, enc, True) for p in node.parts)
        if isinstance(node, C):
            return "".join(self._part(p, enc, False) for p in node.parts)
        if isinstance(node, J):
            return dumps(self.val(node.node, enc + ("json_in_string",)), node.style)
        if isinstance(node, KV):
            return self._kv(node, enc + ("url_encoded",))
        if isinstance(node, B64):
            if isinstance(node.node, KV):
                s = self._kv(node.node, enc + ("base64_kv",))
            else:
                s = dumps(self.val(node.node, enc + ("base64_json",)), node.style)
            return base64.b64encode(s.encode("utf-8")).decode("ascii")
        return node

    def _part(self, p, enc, free):
        if isinstance(p, str):
            return p
        if isinstance(p, P):
            v = self._p(p, enc, "free_text" if free else (p.kind if p.kind != "number" else "plain"))
            return ptext(v) if not isinstance(v, str) else v
        if isinstance(p, D):
            return ptext(self._d(p, enc, in_text=free))
        v = self.val(p, enc)
        return v if isinstance(v, str) else ptext(v)

    def _kv(self, node, enc):
        out = []
        q = urllib.parse.quote_plus if node.plus else (lambda s: urllib.parse.quote(s, safe=""))
        for k, v in node.pairs:
            if isinstance(v, P) and not isinstance(v.value, str):
                v = P(ptext(v.value), v.cat, "plain")
            r = self.val(v, enc)
            if isinstance(r, bool):
                r = "true" if r else "false"
            out.append(q(k) + "=" + q(ptext(r) if not isinstance(r, str) else r))
        return "&".join(out)


# ---------------------------------------------------------------------------
# the decoder used to check every label (what "fully decoded" means here)
# ---------------------------------------------------------------------------

KV_RE = re.compile(r"[A-Za-z0-9_.\-\[\]%]+=[^&]*(?:&[A-Za-z0-9_.\-\[\]%]+=[^&]*)+")
B64_RE = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def _printable(s):
    return all(ch.isprintable() or ch in "\n\r\t" for ch in s)


def terminals(doc_text):
    """All leaf texts of a document after recursive decoding of JSON-in-string,
    k=v percent-encoding and base64 (of text)."""
    out = []

    def walk(o, depth):
        if isinstance(o, dict):
            for k, v in o.items():
                out.append(k)
                walk(v, depth)
        elif isinstance(o, list):
            for v in o:
                walk(v, depth)
        elif isinstance(o, str):
            expand(o, depth)
        elif isinstance(o, bool) or o is None:
            pass
        else:
            out.append(json.dumps(o))

    def expand(s, depth):
        if depth > 10:
            out.append(s)
            return
        t = s.strip()
        if t[:1] in ("{", "["):
            try:
                o = json.loads(t)
            except ValueError:
                o = None
            if isinstance(o, (dict, list)):
                walk(o, depth + 1)
                return
        if KV_RE.fullmatch(s):
            for pair in s.split("&"):
                k, _, v = pair.partition("=")
                out.append(urllib.parse.unquote_plus(k))
                expand(urllib.parse.unquote_plus(v), depth + 1)
            return
        if len(s) % 4 == 0 and B64_RE.fullmatch(s):
            try:
                d = base64.b64decode(s, validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                d = None
            if d is not None and _printable(d):
                out.append(s)
                expand(d, depth + 1)
                return
        out.append(s)

    walk(json.loads(doc_text), 0)
    return out


# ---------------------------------------------------------------------------
# check digits and identifiers
# ---------------------------------------------------------------------------

ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_check(s17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(s17, ID_W)) % 11]


def luhn_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(num):
    return luhn_digit(num[:-1]) == num[-1]


USCC_CH = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(rng, region6):
    org = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY" if i in (0, 1) and rng.random() < 0.5
                             else "0123456789") for i in range(9))
    body = "91" + region6 + org
    c = 31 - sum(USCC_CH.index(ch) * w for ch, w in zip(body, USCC_W)) % 31
    return body + USCC_CH[0 if c == 31 else c]


def hkid(rng):
    letter = rng.choice("ABCDEGHKMPRVYZ")
    digits = "".join(rng.choice("0123456789") for _ in range(6))
    s = 36 * 9 + (ord(letter) - 55) * 8 + sum(int(d) * w for d, w in zip(digits, [7, 6, 5, 4, 3, 2]))
    r = 11 - s % 11
    chk = {10: "A", 11: "0"}.get(r, str(r))
    return "%s%s(%s)" % (letter, digits, chk)


def digits(rng, n, first="0123456789"):
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def hexs(rng, n, upper=False):
    s = "".join(rng.choice("0123456789abcdef") for _ in range(n))
    return s.upper() if upper else s


def uuid_s(rng, upper=False):
    h = hexs(rng, 32)
    h = h[:12] + "4" + h[13:16] + rng.choice("89ab") + h[17:]
    s = "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])
    return s.upper() if upper else s


def b64_random(rng, nbytes):
    return base64.b64encode(bytes(rng.randrange(256) for _ in range(nbytes))).decode()


# ---------------------------------------------------------------------------
# face images (real JPEG / PNG structure, > 2 KB once base64-encoded)
# ---------------------------------------------------------------------------

def _png(rng, w, h):
    base = [rng.randrange(256) for _ in range(3)]
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        for x in range(w):
            for c in range(3):
                raw.append((base[c] + x * (c + 2) + y * (3 - c) + rng.randrange(48)) & 255)

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + chunk(b"IEND", b""))


def _jpeg(rng, nscan):
    q = 50 + rng.randrange(45)
    lum = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69,
           56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
           104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
    scale = 5000 // q if q < 50 else 200 - 2 * q
    dqt = bytes(max(1, min(255, (v * scale + 50) // 100)) for v in lum)
    w, h = rng.choice([(240, 320), (300, 400), (360, 480), (480, 640)])
    out = bytearray(b"\xff\xd8")
    out += b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    out += b"\xff\xdb\x00\x43\x00" + dqt
    out += b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", h, w) + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    dc_counts = bytes([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    out += b"\xff\xc4" + struct.pack(">H", 2 + 1 + 16 + 12) + b"\x00" + dc_counts + bytes(range(12))
    out += b"\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    for _ in range(nscan):
        b = rng.randrange(256)
        out.append(b)
        if b == 0xFF:
            out.append(0)
    out += b"\xff\xd9"
    return bytes(out)


def face_image_b64(rng):
    if rng.random() < 0.7:
        data = _jpeg(rng, 1450 + rng.randrange(600))
    else:
        w = 20 + rng.randrange(3)
        data = _png(rng, w, w + 6)
        while len(data) < 1580:
            w += 2
            data = _png(rng, w, w + 6)
    return base64.b64encode(data).decode("ascii")


# ---------------------------------------------------------------------------
# vocabularies (written for this corpus)
# ---------------------------------------------------------------------------

# surname, pinyin, relative weight (roughly national frequency in per mille)
SURNAMES = [
    ("王", "Wang", 71), ("李", "Li", 70), ("张", "Zhang", 67), ("刘", "Liu", 54), ("陈", "Chen", 45),
    ("杨", "Yang", 31), ("黄", "Huang", 22), ("赵", "Zhao", 20), ("吴", "Wu", 19), ("周", "Zhou", 18),
    ("徐", "Xu", 13), ("孙", "Sun", 13), ("马", "Ma", 12), ("朱", "Zhu", 12), ("胡", "Hu", 11),
    ("郭", "Guo", 11), ("何", "He", 10), ("林", "Lin", 10), ("高", "Gao", 10), ("罗", "Luo", 9),
    ("郑", "Zheng", 8), ("梁", "Liang", 8), ("谢", "Xie", 7), ("宋", "Song", 6), ("唐", "Tang", 6),
    ("许", "Xu", 6), ("韩", "Han", 6), ("邓", "Deng", 5), ("冯", "Feng", 5), ("曹", "Cao", 5),
    ("彭", "Peng", 5), ("曾", "Zeng", 5), ("肖", "Xiao", 5), ("田", "Tian", 5), ("董", "Dong", 4),
    ("潘", "Pan", 4), ("袁", "Yuan", 4), ("蔡", "Cai", 4), ("蒋", "Jiang", 4), ("余", "Yu", 4),
    ("于", "Yu", 4), ("杜", "Du", 4), ("叶", "Ye", 4), ("程", "Cheng", 3), ("魏", "Wei", 3),
    ("苏", "Su", 3), ("吕", "Lyu", 3), ("丁", "Ding", 3), ("任", "Ren", 3), ("卢", "Lu", 3),
    ("姚", "Yao", 3), ("沈", "Shen", 3), ("钟", "Zhong", 3), ("姜", "Jiang", 3), ("崔", "Cui", 3),
    ("谭", "Tan", 3), ("陆", "Lu", 3), ("范", "Fan", 3), ("汪", "Wang", 3), ("廖", "Liao", 3),
    ("石", "Shi", 3), ("金", "Jin", 3), ("韦", "Wei", 3), ("贾", "Jia", 3), ("夏", "Xia", 2),
    ("付", "Fu", 2), ("方", "Fang", 2), ("邹", "Zou", 2), ("熊", "Xiong", 2), ("白", "Bai", 2),
    ("孟", "Meng", 2), ("秦", "Qin", 2), ("邱", "Qiu", 2), ("侯", "Hou", 2), ("江", "Jiang", 2),
    ("尹", "Yin", 2), ("薛", "Xue", 2), ("闫", "Yan", 2), ("段", "Duan", 2), ("雷", "Lei", 2),
    ("龙", "Long", 2), ("黎", "Li", 2), ("史", "Shi", 2), ("陶", "Tao", 2), ("贺", "He", 2),
    ("毛", "Mao", 2), ("郝", "Hao", 2), ("顾", "Gu", 2), ("龚", "Gong", 2), ("邵", "Shao", 2),
    ("万", "Wan", 1), ("覃", "Qin", 1), ("武", "Wu", 1), ("钱", "Qian", 1), ("戴", "Dai", 1),
    ("严", "Yan", 1), ("莫", "Mo", 1), ("孔", "Kong", 1), ("向", "Xiang", 1), ("常", "Chang", 1),
    ("汤", "Tang", 1), ("康", "Kang", 1), ("易", "Yi", 1), ("乔", "Qiao", 1), ("赖", "Lai", 1),
    ("文", "Wen", 1),
    # rare single-character surnames
    ("仉", "Zhang", 0.3), ("亓", "Qi", 0.3), ("佘", "She", 0.3), ("冼", "Xian", 0.3), ("禤", "Xuan", 0.2),
    ("缪", "Miao", 0.3), ("阚", "Kan", 0.3), ("翟", "Zhai", 0.4), ("蒯", "Kuai", 0.2), ("郗", "Xi", 0.2),
    ("宓", "Mi", 0.2), ("逯", "Lu", 0.2), ("鞠", "Ju", 0.3), ("甘", "Gan", 0.3), ("訾", "Zi", 0.2),
    ("乜", "Nie", 0.1), ("靳", "Jin", 0.3), ("牟", "Mou", 0.3), ("眭", "Sui", 0.1), ("暴", "Bao", 0.1),
    ("荆", "Jing", 0.2), ("晏", "Yan", 0.2), ("涂", "Tu", 0.3),
    # compound surnames
    ("欧阳", "Ouyang", 0.6), ("司马", "Sima", 0.2), ("上官", "Shangguan", 0.2), ("诸葛", "Zhuge", 0.2),
    ("东方", "Dongfang", 0.1), ("皇甫", "Huangfu", 0.1), ("尉迟", "Yuchi", 0.1), ("公孙", "Gongsun", 0.1),
    ("慕容", "Murong", 0.1), ("令狐", "Linghu", 0.1), ("长孙", "Zhangsun", 0.05), ("宇文", "Yuwen", 0.1),
    ("司徒", "Situ", 0.2), ("夏侯", "Xiahou", 0.1), ("端木", "Duanmu", 0.1), ("澹台", "Tantai", 0.05),
]

GIVEN_M = [("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
           ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("刚", "gang"), ("平", "ping"),
           ("辉", "hui"), ("鹏", "peng"), ("华", "hua"), ("飞", "fei"), ("鑫", "xin"), ("波", "bo"),
           ("斌", "bin"), ("宇", "yu"), ("浩", "hao"), ("凯", "kai"), ("健", "jian"), ("俊", "jun"),
           ("帆", "fan"), ("旭", "xu"), ("宁", "ning"), ("龙", "long"), ("林", "lin"), ("峰", "feng"),
           ("建", "jian"), ("国", "guo"), ("志", "zhi"), ("文", "wen"), ("博", "bo"), ("毅", "yi"),
           ("泽", "ze"), ("晨", "chen"), ("睿", "rui"), ("轩", "xuan"), ("子", "zi"), ("嘉", "jia"),
           ("豪", "hao"), ("航", "hang"), ("宏", "hong"), ("振", "zhen"), ("海", "hai"), ("德", "de"),
           ("成", "cheng"), ("永", "yong"), ("兴", "xing"), ("福", "fu"), ("生", "sheng"), ("春", "chun"),
           ("东", "dong"), ("江", "jiang"), ("山", "shan"), ("庆", "qing"), ("荣", "rong"), ("光", "guang"),
           ("天", "tian"), ("铭", "ming"), ("昊", "hao"), ("然", "ran"), ("瑞", "rui"), ("新", "xin"),
           ("立", "li"), ("坤", "kun"), ("彬", "bin"), ("锋", "feng"), ("亮", "liang"), ("松", "song")]
GIVEN_F = [("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("艳", "yan"),
           ("娟", "juan"), ("霞", "xia"), ("秀", "xiu"), ("英", "ying"), ("慧", "hui"), ("莉", "li"),
           ("婷", "ting"), ("雪", "xue"), ("琳", "lin"), ("玲", "ling"), ("燕", "yan"), ("倩", "qian"),
           ("颖", "ying"), ("洁", "jie"), ("佳", "jia"), ("欣", "xin"), ("怡", "yi"), ("梅", "mei"),
           ("萍", "ping"), ("红", "hong"), ("晶", "jing"), ("琴", "qin"), ("云", "yun"), ("璐", "lu"),
           ("瑶", "yao"), ("月", "yue"), ("雯", "wen"), ("淑", "shu"), ("蓉", "rong"), ("婧", "jing"),
           ("薇", "wei"), ("露", "lu"), ("妍", "yan"), ("悦", "yue"), ("梓", "zi"), ("涵", "han"),
           ("诗", "shi"), ("雨", "yu"), ("萱", "xuan"), ("琪", "qi"), ("晓", "xiao"), ("思", "si"),
           ("美", "mei"), ("桂", "gui"), ("兰", "lan"), ("凤", "feng"), ("珍", "zhen"), ("彤", "tong"),
           ("馨", "xin"), ("可", "ke"), ("依", "yi"), ("若", "ruo"), ("冰", "bing"), ("丹", "dan")]

# Hong Kong style names in traditional characters with Cantonese romanisation
TRAD_SURNAMES = [("陳", "CHAN"), ("黃", "WONG"), ("張", "CHEUNG"), ("劉", "LAU"), ("李", "LEE"),
                 ("林", "LAM"), ("吳", "NG"), ("鄭", "CHENG"), ("謝", "TSE"), ("郭", "KWOK"),
                 ("梁", "LEUNG"), ("何", "HO"), ("羅", "LAW"), ("葉", "YIP"), ("周", "CHOW"),
                 ("馮", "FUNG"), ("蔡", "CHOI"), ("麥", "MAK")]
TRAD_GIVEN = [("志", "CHI"), ("偉", "WAI"), ("家", "KA"), ("豪", "HO"), ("淑", "SUK"), ("芬", "FAN"),
              ("美", "MEI"), ("玲", "LING"), ("嘉", "KA"), ("欣", "YAN"), ("俊", "CHUN"), ("傑", "KIT"),
              ("詠", "WING"), ("詩", "SZE"), ("國", "KWOK"), ("華", "WAH"), ("慧", "WAI"), ("敏", "MAN"),
              ("建", "KIN"), ("宏", "WANG"), ("明", "MING"), ("麗", "LAI"), ("婷", "TING"), ("雅", "NGA"),
              ("琪", "KEI"), ("浩", "HO"), ("霖", "LAM"), ("穎", "WING"), ("恩", "YAN"), ("燕", "YIN")]

# ethnic-minority names: (token, romanisation as printed in PRC passports)
UYGHUR = [("阿依古丽", "AYIGULI"), ("古丽米拉", "GULIMILA"), ("热依拉", "REYILA"), ("迪丽努尔", "DILINUER"),
          ("努尔艾力", "NUERAILI"), ("艾力", "AILI"), ("买买提", "MAIMAITI"), ("吐尔逊", "TUERXUN"),
          ("阿不都", "ABUDU"), ("艾则孜", "AIZEZI"), ("热合曼", "REHEMAN"), ("伊力哈木", "YILIHAMU"),
          ("帕提古丽", "PATIGULI"), ("米热阿依", "MIREAYI"), ("阿卜杜拉", "ABUDULA"), ("库尔班", "KUERBAN"),
          ("吾斯曼", "WUSIMAN"), ("塔依尔", "TAYIER"), ("玛依拉", "MAYILA"), ("叶尔兰", "YEERLAN"),
          ("努尔兰", "NUERLAN"), ("哈力木", "HALIMU"), ("古力巴哈", "GULIBAHA"), ("阿力木", "ALIMU")]
TIBETAN = [("扎西", "ZHAXI"), ("多吉", "DUOJI"), ("次仁", "CIREN"), ("卓玛", "ZHUOMA"), ("格桑", "GESANG"),
           ("央金", "YANGJIN"), ("尼玛", "NIMA"), ("旦增", "DANZENG"), ("德吉", "DEJI"), ("拉姆", "LAMU"),
           ("平措", "PINGCUO"), ("白玛", "BAIMA"), ("索朗", "SUOLANG"), ("益西", "YIXI")]
MONGOL = [("巴特尔", "BATEER"), ("乌力吉", "WULIJI"), ("其其格", "QIQIGE"), ("苏日娜", "SURINA"),
          ("宝音", "BAOYIN"), ("额尔敦", "EERDUN"), ("图雅", "TUYA"), ("那顺", "NASHUN"), ("斯琴", "SIQIN"),
          ("孟和", "MENGHE"), ("娜仁", "NAREN"), ("阿拉坦", "ALATAN")]

# urban regions: id area code, province, city, district, lat, lng, postcode, streets, communities
URBAN = [
    ("110105", "北京市", "北京市", "朝阳区", 39.9219, 116.4436, "100020",
     [("建国路", "Jianguo Road"), ("朝阳北路", "Chaoyang North Road"), ("望京街", "Wangjing Street"),
      ("东三环中路", "East Third Ring Middle Road")],
     [("望京西园", "Wangjing Xiyuan"), ("团结湖北里", "Tuanjiehu Beili"), ("华贸公寓", "Huamao Apartments")]),
    ("110108", "北京市", "北京市", "海淀区", 39.9599, 116.2983, "100080",
     [("中关村大街", "Zhongguancun Street"), ("学院路", "Xueyuan Road"), ("知春路", "Zhichun Road")],
     [("万柳书院", "Wanliu Shuyuan"), ("清河小营小区", "Qinghe Xiaoying Community"), ("双榆树东里", "Shuangyushu Dongli")]),
    ("310104", "上海市", "上海市", "徐汇区", 31.1884, 121.4365, "200030",
     [("漕溪北路", "Caoxi North Road"), ("肇嘉浜路", "Zhaojiabang Road"), ("宜山路", "Yishan Road")],
     [("田林新村", "Tianlin Xincun"), ("康健小区", "Kangjian Community"), ("徐汇苑", "Xuhui Garden")]),
    ("310115", "上海市", "上海市", "浦东新区", 31.2213, 121.5447, "200120",
     [("张杨路", "Zhangyang Road"), ("锦绣路", "Jinxiu Road"), ("羽山路", "Yushan Road")],
     [("联洋花园", "Lianyang Garden"), ("金桥新城", "Jinqiao New Town"), ("仁恒滨江园", "Renheng Binjiang Garden")]),
    ("330106", "浙江省", "杭州市", "西湖区", 30.2594, 120.1302, "310012",
     [("文三路", "Wensan Road"), ("文一西路", "Wenyi West Road"), ("古墩路", "Gudun Road")],
     [("华星小区", "Huaxing Community"), ("翠苑一区", "Cuiyuan First Community"), ("嘉绿苑", "Jialyu Garden")]),
    ("330108", "浙江省", "杭州市", "滨江区", 30.2084, 120.2108, "310051",
     [("江南大道", "Jiangnan Avenue"), ("滨盛路", "Binsheng Road"), ("江虹路", "Jianghong Road")],
     [("钱塘春晓", "Qiantang Chunxiao"), ("江南春城", "Jiangnan Chuncheng"), ("滨江花园", "Binjiang Garden")]),
    ("330203", "浙江省", "宁波市", "海曙区", 29.8595, 121.5509, "315000",
     [("中山西路", "Zhongshan West Road"), ("药行街", "Yaohang Street"), ("望春路", "Wangchun Road")],
     [("月湖花园", "Yuehu Garden"), ("天一家园", "Tianyi Homeland")]),
    ("320102", "江苏省", "南京市", "玄武区", 32.0486, 118.7978, "210018",
     [("中山路", "Zhongshan Road"), ("珠江路", "Zhujiang Road"), ("北京东路", "Beijing East Road")],
     [("后宰门小区", "Houzaimen Community"), ("锁金村", "Suojin Village Estate")]),
    ("320505", "江苏省", "苏州市", "虎丘区", 31.2955, 120.5662, "215011",
     [("狮山路", "Shishan Road"), ("滨河路", "Binhe Road"), ("玉山路", "Yushan Road")],
     [("狮山新村", "Shishan Xincun"), ("金色家园", "Jinse Homeland")]),
    ("440106", "广东省", "广州市", "天河区", 23.1246, 113.3613, "510620",
     [("天河路", "Tianhe Road"), ("体育西路", "Tiyu West Road"), ("黄埔大道西", "Huangpu Avenue West")],
     [("天河北苑", "Tianhe Beiyuan"), ("骏景花园", "Junjing Garden"), ("华景新城", "Huajing New Town")]),
    ("440305", "广东省", "深圳市", "南山区", 22.5333, 113.9304, "518052",
     [("南海大道", "Nanhai Avenue"), ("深南大道", "Shennan Avenue"), ("高新南七道", "Gaoxin South 7th Road")],
     [("蔚蓝海岸", "Weilan Coast"), ("南山花园", "Nanshan Garden"), ("桃源村", "Taoyuan Village Estate")]),
    ("440304", "广东省", "深圳市", "福田区", 22.5410, 114.0545, "518000",
     [("福华路", "Fuhua Road"), ("红荔路", "Hongli Road"), ("景田路", "Jingtian Road")],
     [("香蜜湖花园", "Xiangmihu Garden"), ("景田小区", "Jingtian Community")]),
    ("420106", "湖北省", "武汉市", "武昌区", 30.5539, 114.3160, "430060",
     [("中北路", "Zhongbei Road"), ("武珞路", "Wuluo Road"), ("徐东大街", "Xudong Street")],
     [("水岸星城", "Shuian Xingcheng"), ("东湖新村", "Donghu Xincun")]),
    ("510107", "四川省", "成都市", "武侯区", 30.6423, 104.0431, "610041",
     [("人民南路", "Renmin South Road"), ("科华北路", "Kehua North Road"), ("玉林南路", "Yulin South Road")],
     [("棕北小区", "Zongbei Community"), ("玉林小区", "Yulin Community"), ("锦绣花园", "Jinxiu Garden")]),
    ("500103", "重庆市", "重庆市", "渝中区", 29.5528, 106.5693, "400010",
     [("民族路", "Minzu Road"), ("中山三路", "Zhongshan 3rd Road"), ("大坪正街", "Daping Zhengjie")],
     [("大坪小区", "Daping Community"), ("枣子岚垭小区", "Zaozilanya Community")]),
    ("610113", "陕西省", "西安市", "雁塔区", 34.2137, 108.9484, "710061",
     [("小寨东路", "Xiaozhai East Road"), ("雁塔路", "Yanta Road"), ("科技路", "Keji Road")],
     [("曲江花园", "Qujiang Garden"), ("融侨馨苑", "Rongqiao Xinyuan")]),
    ("370102", "山东省", "济南市", "历下区", 36.6666, 117.0763, "250014",
     [("泉城路", "Quancheng Road"), ("经十路", "Jingshi Road"), ("文化东路", "Wenhua East Road")],
     [("燕山小区", "Yanshan Community"), ("山大花园", "Shanda Garden")]),
    ("370202", "山东省", "青岛市", "市南区", 36.0671, 120.3826, "266071",
     [("香港中路", "Xianggang Middle Road"), ("延安三路", "Yan'an 3rd Road")],
     [("八大关小区", "Badaguan Community"), ("海信山墅", "Hisense Villas")]),
    ("430104", "湖南省", "长沙市", "岳麓区", 28.2351, 112.9313, "410006",
     [("岳麓大道", "Yuelu Avenue"), ("麓山南路", "Lushan South Road")],
     [("枫林绿洲", "Fenglin Oasis"), ("麓谷小镇", "Lugu Town")]),
    ("350203", "福建省", "厦门市", "思明区", 24.4454, 118.0822, "361001",
     [("湖滨南路", "Hubin South Road"), ("莲前西路", "Lianqian West Road")],
     [("莲花新城", "Lianhua New Town"), ("瑞景新村", "Ruijing Xincun")]),
    ("410105", "河南省", "郑州市", "金水区", 34.8003, 113.6605, "450008",
     [("花园路", "Huayuan Road"), ("农业路", "Nongye Road"), ("经三路", "Jingsan Road")],
     [("金水花园", "Jinshui Garden"), ("民航小区", "Minhang Community")]),
    ("120101", "天津市", "天津市", "和平区", 39.1172, 117.2147, "300041",
     [("南京路", "Nanjing Road"), ("贵州路", "Guizhou Road")],
     [("新兴里", "Xinxingli"), ("昆明路小区", "Kunminglu Community")]),
    ("210102", "辽宁省", "沈阳市", "和平区", 41.7897, 123.4060, "110001",
     [("南京南街", "Nanjing South Street"), ("三好街", "Sanhao Street")],
     [("万科城", "Vanke City"), ("南湖小区", "Nanhu Community")]),
    ("230103", "黑龙江省", "哈尔滨市", "南岗区", 45.7557, 126.6695, "150001",
     [("西大直街", "Xidazhi Street"), ("红军街", "Hongjun Street")],
     [("花园街小区", "Huayuanjie Community")]),
    ("530102", "云南省", "昆明市", "五华区", 25.0432, 102.7046, "650031",
     [("人民中路", "Renmin Middle Road"), ("东风西路", "Dongfeng West Road")],
     [("翠湖小区", "Cuihu Community"), ("云大新村", "Yunda Xincun")]),
    ("450103", "广西壮族自治区", "南宁市", "青秀区", 22.7854, 108.4944, "530022",
     [("民族大道", "Minzu Avenue"), ("金湖路", "Jinhu Road")],
     [("凤岭北小区", "Fengling North Community")]),
    ("650102", "新疆维吾尔自治区", "乌鲁木齐市", "天山区", 43.7937, 87.6300, "830002",
     [("解放南路", "Jiefang South Road"), ("新华南路", "Xinhua South Road")],
     [("团结路小区", "Tuanjielu Community"), ("延安路小区", "Yan'anlu Community")]),
    ("653101", "新疆维吾尔自治区", "喀什地区", "喀什市", 39.4677, 75.9938, "844000",
     [("人民东路", "Renmin East Road"), ("解放北路", "Jiefang North Road")],
     [("东湖小区", "Donghu Community")]),
    ("540102", "西藏自治区", "拉萨市", "城关区", 29.6450, 91.1409, "850000",
     [("北京中路", "Beijing Middle Road"), ("林廓北路", "Linkuo North Road")],
     [("太阳岛小区", "Taiyangdao Community")]),
    ("150102", "内蒙古自治区", "呼和浩特市", "新城区", 40.8583, 111.6655, "010050",
     [("新华大街", "Xinhua Street"), ("兴安北路", "Xing'an North Road")],
     [("东风小区", "Dongfeng Community")]),
]
MINORITY_REGION = {"uyghur": ["650102", "653101"], "tibetan": ["540102"], "mongol": ["150102"]}

# rural counties: code, province, prefecture, county, lat, lng, towns, villages
RURAL = [
    ("411421", "河南省", "商丘市", "民权县", 34.6482, 115.1795,
     [("王桥镇", "Wangqiao Town"), ("人和镇", "Renhe Town")], [("李庄村", "Lizhuang Village"), ("东坡村", "Dongpo Village")]),
    ("421126", "湖北省", "黄冈市", "蕲春县", 30.2261, 115.4363,
     [("漕河镇", "Caohe Town"), ("赤东镇", "Chidong Town")], [("东门村", "Dongmen Village"), ("新屋村", "Xinwu Village")]),
    ("341222", "安徽省", "阜阳市", "太和县", 33.1601, 115.6221,
     [("城关镇", "Chengguan Town"), ("旧县镇", "Jiuxian Town")], [("刘营村", "Liuying Village"), ("大王庄村", "Dawangzhuang Village")]),
    ("431224", "湖南省", "怀化市", "溆浦县", 27.9083, 110.5948,
     [("卢峰镇", "Lufeng Town"), ("桥江镇", "Qiaojiang Town")], [("青山村", "Qingshan Village"), ("花桥村", "Huaqiao Village")]),
    ("130627", "河北省", "保定市", "唐县", 38.7484, 114.9826,
     [("仁厚镇", "Renhou Town"), ("王京镇", "Wangjing Town")], [("东庄村", "Dongzhuang Village"), ("南放水村", "Nanfangshui Village")]),
    ("510623", "四川省", "德阳市", "中江县", 31.0334, 104.6787,
     [("凯江镇", "Kaijiang Town"), ("南华镇", "Nanhua Town")], [("石泉村", "Shiquan Village"), ("白果村", "Baiguo Village")]),
    ("522422", "贵州省", "毕节市", "大方县", 27.1435, 105.6130,
     [("羊场镇", "Yangchang Town"), ("猫场镇", "Maochang Town")], [("红旗村", "Hongqi Village"), ("新民村", "Xinmin Village")]),
    ("532524", "云南省", "红河哈尼族彝族自治州", "建水县", 23.6347, 102.8264,
     [("临安镇", "Lin'an Town"), ("西庄镇", "Xizhuang Town")], [("新房村", "Xinfang Village"), ("团山村", "Tuanshan Village")]),
]

HK_ADDR = [("九龙旺角弥敦道", "Nathan Road, Mong Kok, Kowloon"), ("香港湾仔轩尼诗道", "Hennessy Road, Wan Chai, Hong Kong"),
           ("新界沙田正街", "Sha Tin Centre Street, Sha Tin, New Territories"), ("九龙观塘道", "Kwun Tong Road, Kwun Tong, Kowloon")]

MOBILE_PREFIX = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150",
                 "151", "152", "153", "155", "156", "157", "158", "159", "166", "171", "173", "175", "176",
                 "177", "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191",
                 "193", "195", "198", "199"]
LANDLINE_AREA = {"北京市": "010", "上海市": "021", "天津市": "022", "重庆市": "023", "广州市": "020",
                 "深圳市": "0755", "杭州市": "0571", "宁波市": "0574", "南京市": "025", "苏州市": "0512",
                 "武汉市": "027", "成都市": "028", "西安市": "029", "长沙市": "0731", "厦门市": "0592",
                 "济南市": "0531", "青岛市": "0532", "郑州市": "0371", "沈阳市": "024", "哈尔滨市": "0451",
                 "昆明市": "0871", "南宁市": "0771", "乌鲁木齐市": "0991", "拉萨市": "0891", "呼和浩特市": "0471"}

# (BIN, total length, issuer)
CARD_BINS = [("622202", 19, "工商银行"), ("621226", 19, "工商银行"), ("622208", 19, "工商银行"),
             ("622848", 19, "农业银行"), ("622845", 19, "农业银行"), ("621661", 19, "中国银行"),
             ("621785", 19, "中国银行"), ("621700", 19, "建设银行"), ("622700", 19, "建设银行"),
             ("436742", 16, "建设银行"), ("622262", 19, "交通银行"), ("621483", 16, "招商银行"),
             ("622588", 16, "招商银行"), ("622575", 16, "招商银行"), ("622690", 16, "中信银行"),
             ("622622", 16, "民生银行"), ("622155", 16, "平安银行"), ("621626", 19, "平安银行"),
             ("622521", 16, "浦发银行"), ("622909", 18, "兴业银行"), ("621799", 19, "邮储银行"),
             ("622188", 19, "邮储银行"), ("622568", 16, "广发银行"), ("625809", 16, "广发银行")]

EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com", "outlook.com",
                 "hotmail.com", "yeah.net", "139.com", "aliyun.com", "sohu.com", "icloud.com", "live.cn"]
IPV4_FIRST = [36, 39, 42, 49, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119,
              120, 121, 122, 123, 124, 125, 175, 180, 182, 183, 202, 210, 211, 218, 219, 220, 221, 222, 223]
IPV6_PREFIX = ["240e", "2408", "2409", "2001:da8"]

MONTHS_EN = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


class Person:
    pass


def pick_surname(rng):
    tot = sum(w for _, _, w in SURNAMES)
    r = rng.random() * tot
    for s, py, w in SURNAMES:
        r -= w
        if r <= 0:
            return s, py
    return SURNAMES[0][0], SURNAMES[0][1]


def make_person(rng, style=None, min_age=20, max_age=68, gender=None, ref_year=2025):
    p = Person()
    if style is None:
        r = rng.random()
        style = "han" if r < 0.80 else ("trad" if r < 0.89 else "minority")
    p.style = style
    p.male = (rng.random() < 0.5) if gender is None else (gender == "M")
    # ---- name and romanisations
    if style == "han":
        s, spy = pick_surname(rng)
        pool = GIVEN_M if p.male else GIVEN_F
        n = 1 if rng.random() < 0.3 else 2
        chars = [rng.choice(pool) for _ in range(n)]
        if n == 2 and chars[0][0] == chars[1][0] and rng.random() < 0.7:
            chars[1] = rng.choice(pool)
        given = "".join(c for c, _ in chars)
        gpy = "".join(py for _, py in chars)
        p.name, p.surname, p.given = s + given, s, given
        p.sur_r, p.given_r = spy.upper(), gpy.upper()
        p.hk_style = False
    elif style == "trad":
        s, spy = rng.choice(TRAD_SURNAMES)
        chars = [rng.choice(TRAD_GIVEN) for _ in range(2)]
        p.name, p.surname, p.given = s + "".join(c for c, _ in chars), s, "".join(c for c, _ in chars)
        p.sur_r, p.given_r = spy, " ".join(r for _, r in chars)
        p.hk_style = True
    else:
        kind = rng.choice(["uyghur", "uyghur", "tibetan", "mongol"])
        p.minority = kind
        if kind == "uyghur":
            a, b = rng.sample(UYGHUR, 2)
            p.name, p.surname, p.given = a[0] + "·" + b[0], b[0], a[0]
            p.sur_r, p.given_r = b[1], a[1]
        elif kind == "tibetan":
            a, b = rng.sample(TIBETAN, 2)
            p.name, p.surname, p.given = a[0] + b[0], a[0], b[0]
            p.sur_r, p.given_r = a[1], b[1]
        else:
            a = rng.choice(MONGOL)
            if rng.random() < 0.5:
                p.name, p.surname, p.given = a[0], a[0], ""
                p.sur_r, p.given_r = a[1], ""
            else:
                b = rng.choice(MONGOL)
                p.name, p.surname, p.given = a[0] + b[0], a[0], b[0]
                p.sur_r, p.given_r = a[1], b[1]
        p.hk_style = False
    # ---- birth date
    age = rng.randint(min_age, max_age)
    start = datetime.date(ref_year - age - 1, 1, 1)
    p.birth = start + datetime.timedelta(days=rng.randrange(365))
    p.age = ref_year - p.birth.year
    # ---- hukou (ID area) and residence
    if style == "trad":
        p.id_area = "810000"
        p.home = ("hk", rng.choice(HK_ADDR))
    elif style == "minority":
        code = rng.choice(MINORITY_REGION[p.minority])
        p.id_area = code
        p.home = ("urban", next(u for u in URBAN if u[0] == code))
    else:
        if rng.random() < 0.22:
            rr = rng.choice(RURAL)
            p.id_area = rr[0]
            p.home = ("rural", rr) if rng.random() < 0.6 else ("urban", rng.choice(URBAN[:25]))
        else:
            u = rng.choice(URBAN[:25])
            p.id_area = u[0] if rng.random() < 0.6 else rng.choice(URBAN[:25])[0]
            p.home = ("urban", u)
    seq = rng.randrange(1, 500) * 2 + (1 if p.male else 0)
    seq = seq % 1000
    body = p.id_area + p.birth.strftime("%Y%m%d") + "%03d" % seq
    p.id = body + id_check(body)
    # ---- address parts
    kind, reg = p.home
    p.addr = {}
    if kind == "urban":
        code, prov, city, dist, lat, lng, post, streets, comms = reg
        st = rng.choice(streets)
        cm = rng.choice(comms)
        no = rng.randint(1, 899)
        bldg, unit, room = rng.randint(1, 32), rng.randint(1, 6), rng.randint(1, 33) * 100 + rng.randint(1, 4)
        bw = rng.choice(["栋", "幢", "号楼"])
        p.addr.update(prov=prov, city=city, dist=dist, lat=lat, lng=lng, post=post, kind="urban")
        detail = "%s%d号%s%d%s%d单元%d室" % (st[0], no, cm[0], bldg, bw, unit, room)
        comm = "%s%d%s%d单元%d" % (cm[0], bldg, bw, unit, room)
        head = prov + (city if city != prov else "") + dist
        p.addr["full"] = head + detail
        p.addr["nocity"] = (city if city != prov else prov) + dist + detail
        p.addr["detail"] = detail
        p.addr["comm"] = comm
        p.addr["frag"] = "%s%d%s" % (cm[0], bldg, bw)
        p.addr["en"] = "Room %d, Unit %d, Building %d, %s, No. %d %s, %s District, %s, %s %s" % (
            room, unit, bldg, cm[1], no, st[1], dist_en(dist), city_en(city), prov_en(prov), post)
    elif kind == "rural":
        code, prov, city, county, lat, lng, towns, vills = reg
        tw, vl = rng.choice(towns), rng.choice(vills)
        grp, no = rng.randint(1, 12), rng.randint(1, 120)
        p.addr.update(prov=prov, city=city, dist=county, lat=lat, lng=lng, post="", kind="rural")
        gname = "%s组" % "一二三四五六七八九十"[grp - 1] if grp <= 10 else "%d组" % grp
        detail = "%s%s%s%d号" % (tw[0], vl[0], gname, no)
        p.addr["full"] = prov + city + county + detail
        p.addr["nocity"] = city + county + detail
        p.addr["detail"] = detail
        p.addr["comm"] = "%s%s%d号" % (vl[0], gname, no)
        p.addr["frag"] = vl[0] + gname
        p.addr["en"] = "No. %d, Group %d, %s, %s, %s, %s, %s" % (
            no, grp, vl[1], tw[1], county_en(county), city_en(city), prov_en(prov))
    else:
        road_cn, road_en = reg
        no, floor, flat = rng.randint(1, 700), rng.randint(2, 38), rng.choice("ABCDEFGH")
        p.addr.update(prov="香港特别行政区", city="香港", dist=road_cn[:2], lat=22.32, lng=114.17, post="", kind="hk")
        detail = "%s%d号%d楼%s室" % (road_cn, no, floor, flat)
        p.addr["full"] = "香港" + detail if not road_cn.startswith("香港") else detail
        p.addr["nocity"] = detail
        p.addr["detail"] = detail
        p.addr["comm"] = "%d楼%s室" % (floor, flat)
        p.addr["frag"] = "%s%d号" % (road_cn, no)
        p.addr["en"] = "Flat %s, %d/F, %d %s" % (flat, floor, no, road_en)
    # ---- contact data
    p.phone = rng.choice(MOBILE_PREFIX) + digits(rng, 8)
    if kind == "hk" and rng.random() < 0.5:
        p.hk_phone = rng.choice("5679") + digits(rng, 7)
    else:
        p.hk_phone = None
    area = LANDLINE_AREA.get(p.addr["city"], rng.choice(list(LANDLINE_AREA.values())))
    p.landline = (area, digits(rng, 8 if len(area) == 3 else rng.choice([7, 8]), "2345678"))
    p.email = make_email(rng, p)
    b = rng.choice(CARD_BINS)
    body = b[0] + digits(rng, b[1] - len(b[0]) - 1)
    p.card, p.card_bank = body + luhn_digit(body), b[2]
    if style == "trad":
        p.passport = rng.choice("HK") + digits(rng, 8)
        p.hkid = hkid(rng)
    else:
        p.passport = "E" + (digits(rng, 8) if rng.random() < 0.5 else rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + digits(rng, 7))
        p.hkid = None
    p.lat = round(p.addr["lat"] + (rng.random() - 0.5) * 0.08, 6)
    p.lng = round(p.addr["lng"] + (rng.random() - 0.5) * 0.08, 6)
    p.ipv4 = "%d.%d.%d.%d" % (rng.choice(IPV4_FIRST), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
    p.ipv6 = "%s:%s:%s:%s:%s:%s" % (rng.choice(IPV6_PREFIX), hexs(rng, 3), hexs(rng, 4), hexs(rng, 4),
                                    hexs(rng, 4).lstrip("0") or "0", hexs(rng, 4))
    tac = rng.choice(["86", "35"]) + digits(rng, 6)
    body = tac + digits(rng, 6)
    p.imei = body + luhn_digit(body)
    p.imsi = "460" + rng.choice(["00", "01", "02", "03", "11"]) + digits(rng, 10)
    p.idfa = uuid_s(rng, upper=True)
    p.oaid = uuid_s(rng) if rng.random() < 0.6 else hexs(rng, 64)
    p.android_id = hexs(rng, 16)
    mac = [rng.randrange(256) for _ in range(6)]
    mac[0] &= 0xFC
    p.mac = ":".join("%02X" % x for x in mac) if rng.random() < 0.6 else "-".join("%02x" % x for x in mac)
    p.face = None
    return p


_PROV_EN = {"北京市": "Beijing", "上海市": "Shanghai", "天津市": "Tianjin", "重庆市": "Chongqing",
            "浙江省": "Zhejiang", "江苏省": "Jiangsu", "广东省": "Guangdong", "湖北省": "Hubei",
            "四川省": "Sichuan", "陕西省": "Shaanxi", "山东省": "Shandong", "湖南省": "Hunan",
            "福建省": "Fujian", "河南省": "Henan", "辽宁省": "Liaoning", "黑龙江省": "Heilongjiang",
            "云南省": "Yunnan", "广西壮族自治区": "Guangxi", "新疆维吾尔自治区": "Xinjiang",
            "西藏自治区": "Tibet", "内蒙古自治区": "Inner Mongolia", "安徽省": "Anhui", "河北省": "Hebei",
            "贵州省": "Guizhou"}
_CITY_EN = {"北京市": "Beijing", "上海市": "Shanghai", "天津市": "Tianjin", "重庆市": "Chongqing",
            "杭州市": "Hangzhou", "宁波市": "Ningbo", "南京市": "Nanjing", "苏州市": "Suzhou",
            "广州市": "Guangzhou", "深圳市": "Shenzhen", "武汉市": "Wuhan", "成都市": "Chengdu",
            "西安市": "Xi'an", "济南市": "Jinan", "青岛市": "Qingdao", "长沙市": "Changsha",
            "厦门市": "Xiamen", "郑州市": "Zhengzhou", "沈阳市": "Shenyang", "哈尔滨市": "Harbin",
            "昆明市": "Kunming", "南宁市": "Nanning", "乌鲁木齐市": "Urumqi", "喀什地区": "Kashgar",
            "拉萨市": "Lhasa", "呼和浩特市": "Hohhot", "商丘市": "Shangqiu", "黄冈市": "Huanggang",
            "阜阳市": "Fuyang", "怀化市": "Huaihua", "保定市": "Baoding", "德阳市": "Deyang",
            "毕节市": "Bijie", "红河哈尼族彝族自治州": "Honghe"}
_DIST_EN = {"朝阳区": "Chaoyang", "海淀区": "Haidian", "徐汇区": "Xuhui", "浦东新区": "Pudong New",
            "西湖区": "Xihu", "滨江区": "Binjiang", "海曙区": "Haishu", "玄武区": "Xuanwu", "虎丘区": "Huqiu",
            "天河区": "Tianhe", "南山区": "Nanshan", "福田区": "Futian", "武昌区": "Wuchang", "武侯区": "Wuhou",
            "渝中区": "Yuzhong", "雁塔区": "Yanta", "历下区": "Lixia", "市南区": "Shinan", "岳麓区": "Yuelu",
            "思明区": "Siming", "金水区": "Jinshui", "和平区": "Heping", "南岗区": "Nangang", "五华区": "Wuhua",
            "青秀区": "Qingxiu", "天山区": "Tianshan", "喀什市": "Kashgar City", "城关区": "Chengguan",
            "新城区": "Xincheng"}
_COUNTY_EN = {"民权县": "Minquan County", "蕲春县": "Qichun County", "太和县": "Taihe County",
              "溆浦县": "Xupu County", "唐县": "Tang County", "中江县": "Zhongjiang County",
              "大方县": "Dafang County", "建水县": "Jianshui County"}


def prov_en(s):
    return _PROV_EN.get(s, s)


def city_en(s):
    return _CITY_EN.get(s, s)


def dist_en(s):
    return _DIST_EN.get(s, s)


def county_en(s):
    return _COUNTY_EN.get(s, s)


def make_email(rng, p):
    sur = re.sub(r"[^a-z]", "", p.sur_r.lower())
    giv = re.sub(r"[^a-z]", "", p.given_r.lower())
    r = rng.random()
    if r < 0.25:
        local = digits(rng, rng.randint(6, 10), "123456789")  # QQ number
        return local + "@qq.com"
    if r < 0.35:
        return p.phone + "@" + rng.choice(["163.com", "139.com", "189.cn"])
    parts = [sur + giv, giv + "." + sur, sur + "." + giv, sur + (giv[:1] or "x"), (giv[:1] or "x") + sur]
    local = rng.choice(parts)
    if rng.random() < 0.6:
        local += str(rng.choice([p.birth.year, p.birth.year % 100, rng.randint(1, 999)]))
    return local + "@" + rng.choice(EMAIL_DOMAINS)


# ---- formatting helpers -----------------------------------------------------

def fmt_phone(rng, core, style=None):
    styles = ["plain"] * 6 + ["+86", "+86sp", "+86-", "0086", "dash", "space", "paren", "86-", "86"]
    s = style or rng.choice(styles)
    a, b, c = core[:3], core[3:7], core[7:]
    return {"plain": core, "+86": "+86" + core, "+86sp": "+86 %s %s %s" % (a, b, c), "+86-": "+86-" + core,
            "0086": "0086" + core, "dash": "%s-%s-%s" % (a, b, c), "space": "%s %s %s" % (a, b, c),
            "paren": "(+86)" + core, "86-": "86-" + core, "86": "86" + core,
            "0086-": "0086-%s-%s-%s" % (a, b, c)}[s]


def fmt_landline(rng, ll):
    area, local = ll
    s = rng.choice(["dash", "paren", "space", "intl", "plain"])
    if s == "dash":
        return "%s-%s" % (area, local)
    if s == "paren":
        return "(%s)%s" % (area, local)
    if s == "space":
        return "%s %s %s" % (area, local[:4], local[4:])
    if s == "intl":
        return "+86-%s-%s" % (area[1:], local)
    return area + local


def fmt_date(d, style):
    if style == "iso":
        return d.strftime("%Y-%m-%d")
    if style == "compact":
        return d.strftime("%Y%m%d")
    if style == "slash":
        return "%d/%d/%d" % (d.year, d.month, d.day)
    if style == "slash0":
        return d.strftime("%Y/%m/%d")
    if style == "cn":
        return "%d年%d月%d日" % (d.year, d.month, d.day)
    if style == "dot":
        return d.strftime("%Y.%m.%d")
    if style == "us":
        return d.strftime("%m/%d/%Y")
    if style == "eu":
        return d.strftime("%d/%m/%Y")
    if style == "iso_t":
        return d.strftime("%Y-%m-%dT00:00:00Z")
    if style == "dt":
        return d.strftime("%Y-%m-%d 00:00:00")
    if style == "airline":
        return "%02d%s%02d" % (d.day, MONTHS_EN[d.month - 1], d.year % 100)
    if style == "en":
        return "%d %s %d" % (d.day, MONTHS_EN[d.month - 1].title(), d.year)
    raise ValueError(style)


def rand_birth_style(rng):
    return rng.choice(["iso", "iso", "compact", "compact", "slash", "slash0", "cn", "dot", "us", "eu",
                       "dt", "en"])


def roman(rng, p, style=None):
    """Romanised full name in one of several conventions."""
    S, G = p.sur_r, p.given_r
    if not G:
        return S
    if p.hk_style:
        st = style or rng.choice(["hk1", "hk2", "hk3", "slash"])
        g_parts = G.split()
        if st == "hk1":
            return "%s %s" % (S, " ".join(x.title() for x in g_parts))
        if st == "hk2":
            return "%s %s" % (S.title(), "-".join([g_parts[0].title()] + [x.lower() for x in g_parts[1:]]))
        if st == "hk3":
            return "%s, %s" % (S, G)
        return "%s/%s" % (S, G)
    st = style or rng.choice(["slash", "title", "upper", "given_first", "comma", "title_given_first"])
    if st == "slash":
        return "%s/%s" % (S, G)
    if st == "title":
        return "%s %s" % (S.title(), G.title())
    if st == "upper":
        return "%s %s" % (S, G)
    if st == "given_first":
        return "%s %s" % (G, S)
    if st == "comma":
        return "%s, %s" % (S.title(), G.title())
    return "%s %s" % (G.title(), S.title())


# ---------------------------------------------------------------------------
# decoy vocabularies and factories
# ---------------------------------------------------------------------------

BRANDS = ["瑞幸咖啡", "蜜雪冰城", "喜茶", "海底捞火锅", "老乡鸡", "永辉超市", "盒马鲜生", "名创优品",
          "小米之家", "屈臣氏", "大润发", "良品铺子", "鲍师傅糕点", "沪上阿姨", "华莱士", "罗森便利店",
          "钱大妈", "百果园", "周大福珠宝", "西贝莜面村"]
SHOP_SUFFIX = ["官方旗舰店", "专营店", "品牌店", "自营店", "直营店"]
SHOP_WORDS = ["清雅轩", "悦家", "木子家居", "山野茶舍", "桔梗花艺", "青禾母婴", "拾光数码", "暖阳宠物",
              "云栖书屋", "鲜丰水果", "禾田农庄", "远山户外", "极客潮玩", "素问药房"]
CO_WORDS = ["云帆", "恒信", "智联", "博远", "星河", "锐思", "鼎盛", "华创", "天瑞", "卓越", "新纪元", "启航",
            "蓝海", "金石", "瀚海", "同辉", "中科", "百川"]
CO_INDUSTRY = ["网络科技", "信息技术", "供应链管理", "物流", "商贸", "电子商务", "文化传媒", "人力资源服务",
               "房地产经纪", "医疗器械", "餐饮管理", "教育科技", "融资租赁", "保险代理"]
HOSPITALS = ["北京协和医院", "四川大学华西医院", "复旦大学附属中山医院", "浙江大学医学院附属第一医院",
             "中山大学附属第一医院", "华中科技大学同济医学院附属协和医院", "上海交通大学医学院附属瑞金医院",
             "中南大学湘雅医院", "西安交通大学第一附属医院", "山东大学齐鲁医院", "郑州大学第一附属医院",
             "南京鼓楼医院"]
SCHOOLS = ["浙江大学", "华东师范大学", "武汉大学", "中山大学", "四川大学", "西安电子科技大学", "南京大学",
           "哈尔滨工业大学", "厦门大学", "湖南大学", "山东大学", "北京邮电大学", "深圳职业技术学院"]
BANKS = [("中国工商银行", "支行"), ("中国建设银行", "支行"), ("招商银行", "支行"), ("中国银行", "支行"),
         ("中国农业银行", "分理处"), ("交通银行", "支行"), ("平安银行", "支行"), ("兴业银行", "支行"),
         ("浦发银行", "支行"), ("中国邮政储蓄银行", "营业所")]
PRODUCTS = ["君宝牌地毯", "iPhone 15 Pro 256GB 原色钛金属", "华为Mate 60 Pro 12+512GB", "戴森V12 Detect Slim吸尘器",
            "农夫山泉饮用天然水550ml*24瓶", "安慕希希腊风味酸奶205g*12", "小米空气净化器4 Pro",
            "联想ThinkPad X1 Carbon", "飞鹤星飞帆奶粉3段700g", "云南白药牙膏180g", "美的电饭煲MB-FB40",
            "九阳豆浆机DJ13B", "苏泊尔不粘炒锅30cm", "南极人纯棉四件套", "三只松鼠坚果礼盒1.5kg",
            "得力A4复印纸70g 5包", "格力KFR-35GW空调", "洁柔抽纸3层100抽*24包", "雷克萨斯NX300h", "蔚来ES6"]
STATIONS = ["杭州东站", "上海虹桥站", "北京南站", "广州南站", "深圳北站", "成都东站", "武汉站", "西安北站",
            "南京南站", "郑州东站", "长沙南站", "重庆北站", "厦门北站", "济南西站"]
TRAIN_ST = [("杭州东", "HGH"), ("上海虹桥", "AOH"), ("北京南", "VNP"), ("广州南", "IZQ"), ("深圳北", "IOQ"),
            ("成都东", "ICW"), ("武汉", "WHN"), ("西安北", "EAY"), ("南京南", "NKH"), ("郑州东", "ZAF"),
            ("长沙南", "CWQ"), ("厦门北", "XKS")]
SCENIC = ["西湖风景名胜区", "故宫博物院", "黄山风景区", "鼓浪屿", "外滩", "宽窄巷子", "大雁塔", "洪崖洞",
          "岳麓山", "中山陵", "拙政园", "趵突泉", "八达岭长城", "东方明珠"]
AIRPORTS = [("PVG", "上海浦东国际机场", "SHANGHAI"), ("PEK", "北京首都国际机场", "BEIJING"),
            ("CAN", "广州白云国际机场", "GUANGZHOU"), ("SZX", "深圳宝安国际机场", "SHENZHEN"),
            ("CTU", "成都天府国际机场", "CHENGDU"), ("HGH", "杭州萧山国际机场", "HANGZHOU"),
            ("NRT", "东京成田国际机场", "TOKYO"), ("ICN", "首尔仁川国际机场", "SEOUL"),
            ("SIN", "新加坡樟宜机场", "SINGAPORE"), ("HKG", "香港国际机场", "HONG KONG"),
            ("BKK", "曼谷素万那普机场", "BANGKOK"), ("FRA", "法兰克福机场", "FRANKFURT")]
DEPTS = ["心血管内科", "呼吸内科", "消化内科", "骨科", "眼科", "口腔科", "皮肤科", "儿科", "妇产科",
         "神经内科", "内分泌科", "耳鼻咽喉科", "急诊科", "中医科", "康复医学科"]
DEVICE_MODELS = [("iPhone14,2", "ios", "iOS 16.5"), ("iPhone15,3", "ios", "iOS 17.2.1"),
                 ("iPhone16,1", "ios", "iOS 17.5"), ("SM-S9180", "android", "Android 14"),
                 ("PGT-AN10", "android", "HarmonyOS 4.0"), ("M2012K11AC", "android", "Android 13"),
                 ("V2309A", "android", "Android 14"), ("PHB110", "android", "Android 13"),
                 ("ALN-AL00", "android", "HarmonyOS 4.2"), ("23049RAD8C", "android", "Android 14")]
HOTLINES = ["95338", "95588", "95533", "95511", "95555", "12306", "10000", "10086", "95555", "95522",
            "400-820-8820", "400-811-1111", "400-600-6666", "400-910-9696"]


class Ctx:
    """Per-document context: random source, persons used, a few shared ids."""

    def __init__(self, rng):
        self.rng = rng
        self.persons = []
        self.when = datetime.datetime(2024, 1, 1) + datetime.timedelta(
            seconds=rng.randrange(int((datetime.datetime(2025, 11, 30) - datetime.datetime(2024, 1, 1)).total_seconds())))

    def person(self, **kw):
        p = make_person(self.rng, **kw)
        self.persons.append(p)
        return p

    def chance(self, x):
        return self.rng.random() < x

    def pick(self, seq):
        return self.rng.choice(seq)

    # ---- decoys ---------------------------------------------------------------
    def ts(self, fmt="dt", delta=0):
        t = self.when + datetime.timedelta(seconds=delta + self.rng.randrange(0, 3600))
        if fmt == "dt":
            return t.strftime("%Y-%m-%d %H:%M:%S")
        if fmt == "compact":
            return t.strftime("%Y%m%d%H%M%S")
        if fmt == "ms":
            return str(int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000) - 8 * 3600000)
        if fmt == "s":
            return str(int(t.replace(tzinfo=datetime.timezone.utc).timestamp()) - 8 * 3600)
        if fmt == "iso":
            return t.strftime("%Y-%m-%dT%H:%M:%S+08:00")
        if fmt == "isoz":
            return (t - datetime.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
        if fmt == "date":
            return t.strftime("%Y-%m-%d")
        if fmt == "date8":
            return t.strftime("%Y%m%d")
        raise ValueError(fmt)

    def d_ts(self, fmt="dt", delta=0):
        return D(self.ts(fmt, delta), "timestamp")

    def d_ms(self):
        return D(int(self.ts("ms")), "timestamp")

    def d_amount(self, lo=5, hi=20000, num=False):
        v = round(self.rng.uniform(lo, hi), 2)
        return D(v if num else "%.2f" % v, "amount")

    def order_no(self, prefix=""):
        return prefix + self.ts("compact") + digits(self.rng, self.rng.choice([4, 6]))

    def d_order(self, prefix=""):
        return D(self.order_no(prefix), "order_no")

    def d_waybill(self):
        return D("SF" + digits(self.rng, 13, "1"), "waybill_no")

    def d_uuid(self, kind="request_id", upper=False, nodash=False):
        u = uuid_s(self.rng, upper)
        return D(u.replace("-", "") if nodash else u, kind)

    def d_nonce(self, n=32):
        return D(hexs(self.rng, n), "nonce")

    def d_sign(self, nbytes=128):
        return D(b64_random(self.rng, nbytes), "signature")

    def d_app_id(self, style="digits"):
        if style == "digits":
            return D("1000000000000" + digits(self.rng, 7), "app_id")
        if style == "wx":
            return D("wx" + hexs(self.rng, 16), "app_id")
        return D(hexs(self.rng, 8, True), "app_id")

    def d_cert_serial(self):
        return D(hexs(self.rng, 40, upper=self.chance(0.5)), "cert_serial")

    def d_company(self, city=None):
        c = city or self.pick(["杭州", "上海", "深圳", "北京", "广州", "成都", "武汉", "南京", "苏州", "西安"])
        return D("%s%s%s有限公司" % (c, self.pick(CO_WORDS), self.pick(CO_INDUSTRY)), "company_name")

    def d_merchant(self):
        if self.chance(0.5):
            return D("%s(%s店)" % (self.pick(BRANDS), self.pick(["万象城", "西湖文化广场", "天河城", "春熙路",
                                                                 "解放碑", "五道口", "陆家嘴", "观前街", "江汉路"])),
                     "merchant_name")
        return D(self.pick(SHOP_WORDS) + self.pick(SHOP_SUFFIX), "merchant_name")

    def d_hospital(self):
        if self.chance(0.5):
            return D(self.pick(HOSPITALS), "hospital_name")
        c = self.pick(["杭州市", "宁波市", "苏州市", "成都市", "武汉市", "郑州市", "西安市", "长沙市"])
        return D(c + self.pick(["第一人民医院", "中医院", "妇幼保健院", "第三人民医院", "儿童医院"]), "hospital_name")

    def d_school(self):
        if self.chance(0.6):
            return D(self.pick(SCHOOLS), "school_name")
        c = self.pick(["杭州", "南京", "成都", "武汉", "西安", "郑州"])
        return D(c + self.pick(["市第二中学", "外国语学校", "市实验小学", "高级中学"]), "school_name")

    def d_branch(self, city=None, dist=None):
        b, suf = self.pick(BANKS)
        c = (city or self.pick(["杭州", "上海", "深圳", "北京", "成都"])).rstrip("市")
        return D("%s%s%s%s" % (b, c, self.pick(["西湖", "高新", "城东", "人民路", "科技园", "金融街", "滨江"]), suf),
                 "bank_branch")

    def d_product(self):
        return D(self.pick(PRODUCTS), "product_name")

    def d_place(self):
        r = self.rng.random()
        if r < 0.4:
            return D(self.pick(STATIONS), "place_name")
        if r < 0.7:
            return D(self.pick(SCENIC), "place_name")
        return D(self.pick(AIRPORTS)[1], "place_name")

    def d_merchant_addr(self, kind="merchant_address", city=None):
        cands = [x for x in URBAN[:25] if x[2] == city] if city else []
        u = self.pick(cands or URBAN[:25])
        st = self.pick(u[7])
        city = u[2] if u[2] != u[1] else u[1]
        tail = self.pick(["%s广场B1层%02d号" % (self.pick(["万象", "银泰", "龙湖", "大悦城"]), self.rng.randint(1, 80)),
                          "%s物流园%d号库" % (self.pick(["传化", "普洛斯", "宝湾"]), self.rng.randint(1, 12)),
                          "%s大厦%d层" % (self.pick(["金融", "科创", "国贸", "世贸"]), self.rng.randint(2, 40)),
                          "%s产业园%s座" % (self.pick(["智慧", "数字", "软件"]), self.pick("ABCDE"))])
        return D("%s%s%s%d号%s" % (city, u[3], st[0], self.rng.randint(1, 999), tail), kind)

    def d_region(self, v):
        return D(v, "region_field")

    def d_credit_code(self, region="330106"):
        return D(uscc(self.rng, region), "credit_code")

    def d_corp_account(self):
        while True:
            n = self.pick(["1202", "3305", "5719", "4000", "1001", "3100"]) + digits(self.rng, self.pick([15, 16]))
            if not luhn_ok(n):
                return D(n, "corporate_account")

    def d_id_like(self):
        # 18 digits that are not a resident id (date part impossible)
        return D(self.ts("date8") + digits(self.rng, 10), "id_like_number")

    def d_mobile_like(self, kind="mobile_like_id"):
        return D("1" + self.pick(["0", "1", "2"]) + digits(self.rng, 9), kind)

    def d_masked_phone(self, p=None):
        core = p.phone if p else self.pick(MOBILE_PREFIX) + digits(self.rng, 8)
        return D(core[:3] + "****" + core[7:], "masked_phone")

    def d_masked_name(self, p=None):
        s = p.surname if p else pick_surname(self.rng)[0]
        n = len(p.given) if p else self.pick([1, 2])
        return D(s + "*" * max(1, n), "masked_name")

    def d_masked_id(self, p=None):
        v = p.id if p else self.pick(URBAN)[0] + "19" + digits(self.rng, 10)
        return D(v[:self.pick([3, 4, 6])] + "*" * 8 + v[-4:] if self.chance(0.5) else v[:1] + "*" * 16 + v[-1:],
                 "masked_id_number")

    def d_masked_card(self, p=None):
        v = p.card if p else "6222" + digits(self.rng, 15)
        return D(self.pick(["%s****%s" % (v[:6], v[-4:]), "**** **** **** %s" % v[-4:], "尾号" + v[-4:]]),
                 "masked_card")

    def d_device_model(self):
        return D(self.pick(DEVICE_MODELS)[0], "device_model")

    def d_hotline(self):
        return D(self.pick(HOTLINES), "service_hotline")

    def d_service_email(self, domain=None, locals_=("service", "kefu", "support", "noreply")):
        dom = domain or self.pick(["sf-express.com", "service.icbc.com.cn", "cloudauth-partner.cn", "hr-mail.cn",
                                   "jobs-hub.cn", "ins-partner.com.cn"])
        return D("%s@%s" % (self.pick(list(locals_)), dom), "service_email")

    def d_policy(self):
        return D(self.pick(["P", "86", "AHZ"]) + digits(self.rng, 15), "policy_no")

    def d_claim(self):
        return D("C" + self.ts("date8") + digits(self.rng, 6), "claim_no")

    def d_invoice(self):
        return D(digits(self.rng, 12, "0123") + digits(self.rng, 8), "invoice_no")

    def d_batch(self):
        return D("B" + self.ts("date8") + digits(self.rng, 5), "batch_no")

    def d_trade(self):
        return D(self.ts("compact")[:8] + "2200" + digits(self.rng, 16), "trade_no")


def rand_style(rng, top=False):
    r = rng.random()
    if top:
        if r < 0.05:
            return Style(ea=True, sep=(",", ":") if rng.random() < 0.6 else (", ", ": "))
        if r < 0.10:
            return Style(sep=(",", ": "), indent=2)
        if r < 0.30:
            return Style(sep=(", ", ": "))
        return Style()
    if r < 0.06:
        return Style(ea=True)
    if r < 0.2:
        return Style(sep=(", ", ": "))
    return Style()


# ---------------------------------------------------------------------------
# small builders shared by the shapes
# ---------------------------------------------------------------------------

def nation_of(p):
    if p.style != "minority":
        return "汉"
    return {"uyghur": "维吾尔", "tibetan": "藏", "mongol": "蒙古"}[p.minority]


def authority_of(p):
    a = p.addr
    city = a["city"].rstrip("市") if a["kind"] != "hk" else "香港"
    return "%s市公安局%s分局" % (city, a["dist"].rstrip("区县市")) if a["kind"] == "urban" else "%s公安局" % a["dist"]


def P_phone(c, p, number=False, style=None):
    if number:
        return P(int(p.phone), "phone")
    if p.hk_phone and c.chance(0.6):
        return P(c.pick(["+852 ", "852-", "(852)"]) + p.hk_phone, "phone")
    return P(fmt_phone(c.rng, p.phone, style), "phone")


def P_name(c, p, roman_ok=False):
    if roman_ok and c.chance(0.5):
        return P(roman(c.rng, p), "name", "romanized")
    return P(p.name, "name")


def P_addr(c, p, form=None):
    form = form or c.pick(["full", "full", "nocity", "detail"])
    return P(p.addr[form], "address")


def P_birth(c, p, style=None):
    return P(fmt_date(p.birth, style or rand_birth_style(c.rng)), "birth_date")


def P_face(c, p):
    if p.face is None:
        p.face = face_image_b64(c.rng)
    return P(p.face, "biometric")


def P_ip(c, p, v6=None):
    if v6 is None:
        v6 = c.chance(0.2)
    return P(p.ipv6 if v6 else p.ipv4, "ip")


def P_card(c, p, spaced=False):
    v = p.card
    if spaced:
        v = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
    return P(v, "bank_card")


def face_or_url(c, p, prob, host="oss-cn-hangzhou.aliyuncs.com"):
    if c.chance(prob):
        if c.chance(0.15):
            return C("data:image/%s;base64," % ("jpeg" if p.face is None or p.face.startswith("/9j") else "png"),
                     P_face(c, p))
        return P_face(c, p)
    return "https://kyc-img.%s/%s/%s.jpg" % (host, c.ts("date8"), hexs(c.rng, 24))


def remark_delivery(c, p, q=None):
    """free text of a delivery / service remark mentioning the person."""
    q = q or p
    r = c.rng.random()
    if r < 0.18:
        return T("麻烦", P(q.name, "name"), "签收，放门口就行")
    if r < 0.34:
        return T("已和", P(q.name, "name"), "沟通，", c.pick(["下午三点", "晚上七点", "明天上午"]), "后送到",
                 P(q.addr["frag"], "address"))
    if r < 0.48:
        return T("送到", P(q.addr["comm"], "address"), "，到了打", P_phone(c, q))
    if r < 0.60:
        return T("收件人不在家请放丰巢，有问题联系", P_phone(c, q), "（", P(q.name, "name"), "）")
    if r < 0.72:
        return T("投诉：快递员没打电话就把件放在", c.d_place(), "，我是", P(q.name, "name"),
                 "，请回电", P_phone(c, q))
    if r < 0.84:
        return T("客户要求改地址到", P(q.addr["full"], "address"), "，周末也可以送")
    return T("代", P(q.name, "name"), "下单，货到后请先电话确认：", P_phone(c, q))


def kv_or_b64(c, pairs, b64_prob=0.4):
    kv = KV(pairs, plus=c.chance(0.6))
    return B64(kv) if c.chance(b64_prob) else kv


# ---------------------------------------------------------------------------
# API shapes
# ---------------------------------------------------------------------------

def shape_tencent_cloud_kyc(c):
    """Tencent Cloud FaceID (GetDetectInfoEnhanced / DetectAuth / BankCard4EVerification)
    and OCR HKIDCardOCR."""
    r = c.rng.random()
    if r < 0.12:
        p = c.person(style="trad")
        resp = {"CnName": P(p.name, "name"), "EnName": P(roman(c.rng, p, "hk3"), "name", "romanized"),
                "Sex": c.pick(["男M", "女F"]), "Birthday": P(p.birth.strftime("%d-%m-%Y"), "birth_date"),
                "Permanent": 1, "IdNum": P(p.hkid, "id_number"), "Symbol": "***AZ",
                "FirstIssueDate": "(%02d-%02d)" % (c.rng.randint(1, 12), c.rng.randint(0, 99)),
                "CurrentIssueDate": c.ts("date")[2:].replace("-", "-"), "FakeDetectResult": 1,
                "WarningCode": [], "RequestId": c.d_uuid()}
        if c.chance(0.3):
            resp["HeadImage"] = P_face(c, p)
        return {"Response": resp}
    p = c.person()
    extra = ""
    x = c.rng.random()
    if x < 0.3:
        extra = J({"bizOrderNo": c.d_order("KY"), "scene": c.pick(["loan_apply", "account_open", "withdraw"]),
                   "userRemark": T("用户", P(p.name, "name"), "在", c.d_merchant(), "门店办理")}, rand_style(c.rng))
    elif x < 0.5:
        extra = kv_or_b64(c, [("uid", c.d_mobile_like()), ("channel", "app"),
                              ("mobile", P(p.phone, "phone")), ("ts", c.d_ts("ms"))], 0.5)
    if r < 0.50:
        text = {"ErrCode": 0, "ErrMsg": "成功", "IdCard": P(p.id, "id_number"), "UseIDType": 0,
                "Name": P(p.name, "name"), "OcrNation": None, "OcrAddress": None, "OcrBirth": None,
                "OcrAuthority": None, "OcrValidDate": None, "OcrName": "", "OcrIdCard": "", "OcrGender": None,
                "IdInfoFrom": "其他", "LiveStatus": 0, "LiveMsg": "成功", "Comparestatus": 0,
                "Comparemsg": "成功", "Sim": "%.2f" % c.rng.uniform(80, 99), "Location": None,
                "Extra": extra, "LivenessDetail": [], "Mobile": "", "CompareLibType": "权威库",
                "LivenessMode": c.pick([1, 2, 3]), "NFCRequestIds": [], "NFCBillingCounts": 0,
                "PassNo": None, "VisaNum": None, "LivenessInfoTag": None}
        if c.chance(0.5):
            text.update(OcrNation=nation_of(p), OcrAddress=P(p.addr["full"], "address"),
                        OcrBirth=P_birth(c, p, "slash"), OcrAuthority=D(authority_of(p), "authority_name"),
                        OcrValidDate="%s-%s" % (c.ts("date").replace("-", ".")[:4] + ".03.12", "长期"),
                        OcrName=P(p.name, "name"), OcrIdCard=P(p.id, "id_number"),
                        OcrGender="男" if p.male else "女", IdInfoFrom="OCR")
        if c.chance(0.4):
            text["Mobile"] = P(p.phone, "phone")
        if c.chance(0.35):
            text["Location"] = P("%.6f,%.6f" % (p.lat, p.lng) if c.chance(0.5) else "%.6f,%.6f" % (p.lng, p.lat),
                                 "location")
        for _ in range(c.pick([1, 1, 2])):
            text["LivenessDetail"].append({
                "ReqTime": c.ts("ms"), "Seq": c.d_uuid(), "Idcard": P(p.id, "id_number"), "Name": P(p.name, "name"),
                "Sim": text["Sim"], "IsNeedCharge": True, "Errcode": 0, "Errmsg": "成功", "Livestatus": 0,
                "Livemsg": "成功", "Comparestatus": 0, "Comparemsg": "成功", "CompareLibType": "权威库",
                "LivenessMode": text["LivenessMode"]})
        resp = {"Text": text, "IdCardData": {"OcrFront": None, "OcrBack": None, "ProcessedFrontImage": None,
                                              "ProcessedBackImage": None, "Avatar": None, "WarnInfos": None},
                "VideoData": {"LivenessVideo": None},
                "Encryption": {"Algorithm": "", "CiphertextBlob": "", "EncryptList": [], "Iv": "", "TagList": []},
                "EncryptedBody": "", "IntentionVerifyData": None, "RequestId": c.d_uuid()}
        if c.chance(0.35):
            resp["BestFrame"] = {"BestFrame": P_face(c, p), "BestFrames": []}
        else:
            resp["BestFrame"] = {"BestFrame": None, "BestFrames": []}
        return {"Response": resp}
    if r < 0.72:
        req = {"RuleId": str(c.rng.randint(0, 9)), "TerminalType": c.pick(["h5", "weixinh5", "miniprogram"]),
               "IdCard": P(p.id, "id_number"), "Name": P(p.name, "name"),
               "RedirectUrl": C("https://m.", c.pick(["jinrong", "wallet", "loan"]), "-partner.cn/kyc/result?orderNo=",
                                c.d_order("KY")),
               "Extra": extra}
        if c.chance(0.4):
            req["IntentionVerifyText"] = T("本人", P(p.name, "name"), "已知晓借款风险，自愿通过", c.d_company(),
                                           "申请借款")
        if c.chance(0.25):
            req["ImageBase64"] = P_face(c, p)
        req["Encryption"] = {"EncryptList": [], "CiphertextBlob": "", "Iv": "", "Algorithm": "", "TagList": []}
        return req
    # BankCard4EVerification / BankCard2E / PhoneVerification
    which = c.pick(["4e", "4e", "2e", "phone"])
    req = {"Name": P(p.name, "name")}
    if which in ("4e", "2e"):
        req["BankCard"] = P_card(c, p)
    if which in ("4e", "phone"):
        req["Phone"] = P(p.phone, "phone")
    if which != "2e":
        req["IdCard"] = P(p.id, "id_number")
        req["CertType"] = 0
    req["Encryption"] = {"EncryptList": [], "CiphertextBlob": "", "Iv": "", "Algorithm": ""}
    if c.chance(0.3):
        req = {"Action": {"4e": "BankCard4EVerification", "2e": "BankCard2EVerification",
                          "phone": "PhoneVerification"}[which],
               "Version": "2018-03-01", "Region": "ap-guangzhou", "Timestamp": c.d_ts("s"),
               "Nonce": D(c.rng.randint(10000, 99999999), "nonce"), "SecretId": D("AKID" + hexs(c.rng, 32, True), "app_id"),
               "Payload": J(req, rand_style(c.rng))}
    return req


def shape_baidu_ocr(c):
    """Baidu AI OCR: idcard front result (words_result with Chinese keys), bankcard result."""
    p = c.person(style=c.pick(["han"] * 8 + ["minority", "minority"]))

    def loc():
        return {"left": c.rng.randint(50, 600), "top": c.rng.randint(30, 700), "width": c.rng.randint(30, 600),
                "height": c.rng.randint(20, 110)}

    if c.chance(0.25):
        resp = {"log_id": D(int(digits(c.rng, 19, "123456789")), "log_id"), "direction": 0,
                "result": {"bank_card_number": P_card(c, p, spaced=c.chance(0.7)),
                           "valid_date": c.pick(["NEVER", "%02d/%02d" % (c.rng.randint(1, 12), c.rng.randint(26, 33))]),
                           "bank_card_type": c.pick([1, 2]), "bank_name": p.card_bank,
                           "holder_name": P(p.name, "name") if c.chance(0.5) else ""}}
    else:
        words = {"住址": {"location": loc(), "words": P(p.addr["full"], "address")},
                 "公民身份号码": {"location": loc(), "words": P(p.id, "id_number")},
                 "出生": {"location": loc(), "words": P_birth(c, p, "compact")},
                 "姓名": {"location": loc(), "words": P(p.name, "name")},
                 "性别": {"location": loc(), "words": "男" if p.male else "女"},
                 "民族": {"location": loc(), "words": nation_of(p)}}
        resp = {"log_id": D(int(digits(c.rng, 19, "123456789")), "log_id"), "direction": c.pick([0, 0, 1]),
                "image_status": "normal", "idcard_number_type": 1, "risk_type": "normal",
                "words_result": words, "words_result_num": 6}
        if c.chance(0.3):
            resp["photo"] = P_face(c, p)
            resp["photo_location"] = loc()
        if c.chance(0.3):
            resp["card_quality"] = {"IsClear": 1, "IsClear_propobility": 0.98, "IsNoCover": 1,
                                    "IsComplete": 1, "IsComplete_propobility": 0.99}
    w = c.rng.random()
    if w < 0.6:
        return resp
    wrap = {"bizNo": c.d_order("OCR"), "merchantName": c.d_merchant(), "side": "front", "source": "baidu_aip",
            "callTime": c.d_ts()}
    if w < 0.85:
        wrap["ocrResult"] = J(resp, rand_style(c.rng))
    else:
        wrap["ocrResultB64"] = B64(resp, rand_style(c.rng))
    return wrap


def shape_aliyun_cloudauth(c):
    """Alibaba Cloud ID Verification (cloudauth 2019-03-07): InitFaceVerify, ContrastFaceVerify,
    DescribeFaceVerify."""
    p = c.person()
    model, os_type, os_ver = c.pick(DEVICE_MODELS)
    meta = {"zimVer": "3.0.0", "appVersion": "1", "bioMetaInfo": "4.1.0:%d,0" % c.rng.randint(1000000, 2000000),
            "appName": c.pick(["com.example.wallet", "com.partner.loanapp", "cn.minipay.app"]),
            "deviceType": os_type, "osVersion": os_ver, "apdidToken": "", "deviceModel": D(model, "device_model")}
    r = c.rng.random()
    if r < 0.6:
        req = {"SceneId": D(c.rng.randint(1000000000, 1009999999), "app_id"), "OuterOrderNo": c.d_order("ZM"),
               "ProductCode": c.pick(["ID_PRO", "ID_PLUS", "PV_FV"]),
               "Model": c.pick(["LIVENESS", "PHOTINUS_LIVENESS", "MULTI_ACTION"]), "CertType": "IDENTITY_CARD",
               "CertName": P(p.name, "name"), "CertNo": P(p.id, "id_number"),
               "ReturnUrl": "https://m.partner-pay.cn/kyc/return", "MetaInfo": J(meta, rand_style(c.rng)),
               "CertifyUrlType": c.pick(["H5", "WEB"]), "CallbackUrl": "https://api.partner-pay.cn/notify/cloudauth",
               "CallbackToken": c.d_nonce(24)}
        if c.chance(0.6):
            req["Mobile"] = P(p.phone, "phone")
        if c.chance(0.85):
            req["Ip"] = P_ip(c, p)
        if c.chance(0.5):
            req["UserId"] = D(hexs(c.rng, 20), "account_id")
        if c.chance(0.25):
            req["FaceContrastPicture"] = P_face(c, p)
        return req
    if r < 0.82:
        req = {"SceneId": D(c.rng.randint(1000000000, 1009999999), "app_id"), "OuterOrderNo": c.d_order("ZM"),
               "ProductCode": "ID_MIN", "Model": "NO_LIVENESS", "CertType": "IDENTITY_CARD",
               "CertName": P(p.name, "name"), "CertNo": P(p.id, "id_number"), "Crop": "T"}
        if c.chance(0.5):
            req["FaceContrastPicture"] = P_face(c, p)
        else:
            req["FaceContrastPictureUrl"] = "https://cloudauth-demo.oss-cn-shanghai.aliyuncs.com/%s.jpg" % hexs(c.rng, 20)
        req["Ip"] = P_ip(c, p)
        if c.chance(0.5):
            req["Mobile"] = P(fmt_phone(c.rng, p.phone), "phone")
        req["DeviceToken"] = D(b64_random(c.rng, 24), "nonce")
        return req
    material = {"faceAttack": "F", "faceOcclusion": "F",
                "facialPictureFront": {"qualityScore": round(c.rng.uniform(60, 99), 2),
                                       "pictureUrl": "https://cn-shanghai-aliyun-cloudauth.oss-cn-shanghai.aliyuncs.com/%s.jpeg" % hexs(c.rng, 32),
                                       "ossBucketName": "cn-shanghai-aliyun-cloudauth-%s" % digits(c.rng, 10),
                                       "ossObjectName": "verify/%s.jpeg" % hexs(c.rng, 32)}}
    ident = {"certName": P(p.name, "name"), "certNo": P(p.id, "id_number")}
    if c.chance(0.3):
        ident["mobile"] = P(p.phone, "phone")
    return {"RequestId": c.d_uuid(upper=True), "Message": "success", "Code": "200",
            "ResultObject": {"Passed": "T", "SubCode": "200", "CertifyId": D(hexs(c.rng, 32), "request_id"),
                             "IdentityInfo": J(ident, rand_style(c.rng)), "MaterialInfo": J(material, rand_style(c.rng)),
                             "DeviceToken": D(b64_random(c.rng, 24), "nonce")}}


def shape_icbc_open_api(c):
    """ICBC API gateway: app_id / msg_id / sign_type / sign / timestamp / biz_content envelope."""
    p = c.person()
    biz_kind = c.pick(["open", "open", "payroll", "transfer"])
    if biz_kind == "open":
        biz = {"api_name": "MOBILEOPENACC", "api_version": "001.001.001.001", "chl_type": "1",
               "flow_id": D("H" + digits(c.rng, 9), "serial_no"), "corp_no": D("CORP" + digits(c.rng, 8), "merchant_id"),
               "cust_name": P(p.name, "name"), "cert_type": "0", "cert_no": P(p.id, "id_number"),
               "mobile_no": P(p.phone, "phone"), "medium_id": P_card(c, p),
               "cust_addr": P_addr(c, p), "birthday": P_birth(c, p, "iso"), "sex": "1" if p.male else "2",
               "work_unit": c.d_company(), "notify_url": "https://api.partner-pay.cn/icbc/notify"}
        if c.chance(0.4):
            biz["client_ip"] = P_ip(c, p)
        if c.chance(0.3):
            biz["reserved1"] = P(p.email, "email", "abbrev_key")
        if c.chance(0.3):
            biz["extend_info"] = J({"device": {"mac": P(p.mac, "device"), "model": c.d_device_model()},
                                    "memo": T("客户", P(p.name, "name"), "由", c.d_branch(p.addr["city"]), "推荐开户")},
                                   rand_style(c.rng))
    elif biz_kind == "payroll":
        rows = []
        staff = [p] + [c.person() for _ in range(c.rng.randint(1, 3))]
        for i, q in enumerate(staff):
            row = {"seq_no": str(i + 1), "rcv_acct_no": P_card(c, q), "rcv_acct_name": P(q.name, "name"),
                   "amount": c.d_amount(3000, 30000), "summary": c.pick(["工资", "%d月工资" % c.when.month, "绩效奖金"])}
            if c.chance(0.4):
                row["rcv_mobile"] = P(q.phone, "phone")
            if c.chance(0.4):
                row["rcv_cert_no"] = P(q.id, "id_number")
            rows.append(row)
        biz = {"corp_no": D("CORP" + digits(c.rng, 8), "merchant_id"), "batch_no": c.d_batch(),
               "pay_acct_no": c.d_corp_account(), "pay_acct_name": c.d_company(),
               "corp_credit_code": c.d_credit_code(c.pick(URBAN)[0]), "total_num": len(rows),
               "total_amt": c.d_amount(10000, 90000), "trx_date": c.d_ts("date"), "detail_list": rows}
    else:
        biz = {"corp_no": D("CORP" + digits(c.rng, 8), "merchant_id"), "corp_serno": c.d_uuid(nodash=True),
               "payer_acct_no": c.d_corp_account(), "payer_acct_name": c.d_company(),
               "payee_acct_no": P_card(c, p), "payee_acct_name": P(p.name, "name"),
               "payee_bank_name": c.d_branch(), "amount": c.d_amount(50, 50000), "currency": "CNY",
               "purpose": c.pick([T(P(p.name, "name"), "报销%d月差旅费" % c.when.month),
                                  T("退还", P(p.name, "name"), "押金，联系电话", P_phone(c, p)),
                                  T("二手房定金，付款给", P(p.name, "name"))])}
        if c.chance(0.4):
            biz["extra_params"] = kv_or_b64(c, [("payee_mobile", P(p.phone, "phone")), ("scene", "refund"),
                                                ("order_no", c.d_order())], 0.4)
    if c.chance(0.75):
        return {"app_id": c.d_app_id("digits"), "msg_id": c.d_uuid(nodash=True), "format": "json",
                "charset": "UTF-8", "encrypt_type": c.pick(["AES", ""]), "sign_type": c.pick(["RSA2", "RSA", "CA"]),
                "sign": c.d_sign(), "timestamp": c.d_ts(), "biz_content": J(biz, rand_style(c.rng))}
    res = {"return_code": 0, "return_msg": "success", "msg_id": c.d_uuid(nodash=True)}
    if biz_kind == "open":
        res.update(cust_name=P(p.name, "name"), medium_id=P_card(c, p), open_branch=c.d_branch(p.addr["city"]),
                   mobile_no=D(p.phone[:3] + "****" + p.phone[7:], "masked_phone"))
    else:
        res.update(serial_no=D(digits(c.rng, 20, "123456789"), "serial_no"), status="SUCCESS",
                   payee_name=P(p.name, "name"), payee_acct_no=c.d_masked_card(p))
    return {"response_biz_content": res, "sign": c.d_sign()}


def shape_bank_esb(c):
    """Bank ESB messages: CCB/Yusys-style abbreviated keys (CstNm, CrdtNo, AccNo ...) and
    Ping An 'jianzhengbao' supervised-account messages (6000 member, 6052 transfer)."""
    p = c.person()
    r = c.rng.random()
    if r < 0.55:
        body = {"CstNo": D(digits(c.rng, 12, "123456789"), "customer_no", True), "CstNm": P(p.name, "name", "abbrev_key"),
                "CrdtTpCd": "1010", "CrdtNo": P(p.id, "id_number", "abbrev_key"),
                "AccNo": P(p.card, "bank_card", "abbrev_key")}
        if c.chance(0.7):
            body["MblNo"] = P(int(p.phone), "phone", "abbrev_key") if c.chance(0.2) else P(p.phone, "phone", "abbrev_key")
        if c.chance(0.5):
            body["BrthDt"] = P(fmt_date(p.birth, "compact"), "birth_date", "abbrev_key")
        if c.chance(0.5):
            body["CtcAdr"] = P(p.addr[c.pick(["full", "nocity"])], "address", "abbrev_key")
        if c.chance(0.3):
            body["EmlAdr"] = P(p.email, "email", "abbrev_key")
        if c.chance(0.5):
            body["WrkUnitNm"] = D(c.d_company().value, "company_name", True)
        body["OpnAccBrNm"] = D(c.d_branch(p.addr["city"]).value, "bank_branch", True)
        body["TxnAmt"] = D("%.2f" % c.rng.uniform(10, 50000), "amount", True)
        if c.chance(0.5):
            ag = c.person()
            body["Rmrk"] = T("客户", P(p.name, "name"), "委托", P(ag.name, "name"), "临柜代办，代办人电话",
                             P_phone(c, ag))
        return {"TxHeader": {"SvcCd": c.pick(["30011000001", "30012000003", "20013000002"]), "ScnCd": "01",
                             "TxnDt": c.d_ts("date8"), "TxnTm": c.ts("compact")[8:],
                             "CnsmrSysId": "A0%d" % c.rng.randint(1000, 9999),
                             "CnsmrSeqNo": D("A06" + c.ts("compact") + digits(c.rng, 6), "serial_no", True),
                             "TxnBrId": D(digits(c.rng, 9, "3"), "branch_code", True)},
                "SrvReqBizBody": body}
    if r < 0.8:
        msg = {"CnsmrSeqNo": D("PA" + c.ts("compact") + digits(c.rng, 6), "serial_no"), "TranFunc": "6000",
               "FuncFlag": "1", "SupAcctId": c.d_corp_account(), "ThirdCustId": c.d_mobile_like(),
               "CustProperty": "00", "NickName": P(p.name, "name"), "MobilePhone": P(p.phone, "phone"),
               "Email": P(p.email, "email") if c.chance(0.6) else ""}
        msg["Reserve"] = kv_or_b64(c, [("realName", P(p.name, "name")), ("idNo", P(p.id, "id_number")),
                                      ("channel", "H5")], 0.3) if c.chance(0.5) else ""
        return msg
    buyer = p
    seller = c.person()
    prod = c.d_product()
    tran = {"InCustAcctId": D("8888" + digits(c.rng, 12), "sub_account_no"),
            "InThirdCustId": c.d_mobile_like(), "TranAmount": c.d_amount(20, 20000, num=True),
            "TranFee": 0, "CcyCode": "RMB", "ThirdHtId": c.d_order("HT"),
            "ThirdHtMsg": c.pick([T("买家", P(buyer.name, "name"), "购买", prod, "，收货地址", P(buyer.addr["full"], "address")),
                                  T("卖家", P(seller.name, "name"), "已发货，买家", P(buyer.name, "name"), "确认收货"),
                                  T("二手交易担保款，联系", P_phone(c, seller))]),
            "Note": c.pick(["二手交易", T("转给", P(seller.name, "name"))]),
            "MarketLogNo": c.d_id_like()}
    return {"CnsmrSeqNo": D("PA" + c.ts("compact") + digits(c.rng, 6), "serial_no"), "TranFunc": "6052",
            "FuncFlag": "1", "OutCustAcctId": D("8888" + digits(c.rng, 12), "sub_account_no"),
            "OutThirdCustId": c.d_mobile_like(), "SupAcctId": c.d_corp_account(),
            "ThirdHtCount": "1", "TranList": [tran], "Reserve": "", "WebSign": c.d_sign(64)}


def shape_sf_express(c):
    """SF Express open platform (fengqiao) EXP_RECE_CREATE_ORDER: partnerID/requestID/serviceCode/
    timestamp/msgDigest envelope with msgData JSON text."""
    recv = c.person(style=c.pick(["han"] * 9 + ["trad", "minority"]))
    if c.chance(0.5):
        # merchant / warehouse sender
        clerk = c.person()
        sender = {"contactType": 1, "company": c.pick([c.d_merchant(), c.d_company()]),
                  "contact": P(clerk.name, "name"),
                  "mobile": P_phone(c, clerk) if c.chance(0.6) else c.d_hotline(),
                  "province": "", "city": "", "county": "",
                  "address": c.d_merchant_addr(c.pick(["warehouse_address", "merchant_address"]))}
    else:
        s = c.person()
        sender = {"contactType": 1, "contact": P(s.name, "name"), "mobile": P_phone(c, s),
                  "province": c.d_region(s.addr["prov"]), "city": c.d_region(s.addr["city"]),
                  "county": c.d_region(s.addr["dist"]), "address": P(s.addr["detail"], "address")}
        if c.chance(0.3):
            sender["tel"] = P(fmt_landline(c.rng, s.landline), "phone")
    rc = {"contactType": 2, "contact": P_name(c, recv, roman_ok=recv.style == "trad"), "mobile": P_phone(c, recv)}
    if c.chance(0.25):
        rc["tel"] = P(fmt_landline(c.rng, recv.landline), "phone")
    if recv.addr["kind"] == "hk":
        rc.update(country="852", province="", city="", county="",
                  address=P(recv.addr["en"] if c.chance(0.5) else recv.addr["full"], "address"))
    else:
        rc.update(country="CN", province=c.d_region(recv.addr["prov"]), city=c.d_region(recv.addr["city"]),
                  county=c.d_region(recv.addr["dist"]),
                  address=P(recv.addr["detail"] if c.chance(0.7) else recv.addr["full"], "address"))
    if c.chance(0.2):
        rc["email"] = P(recv.email, "email")
    cargo = [{"name": c.d_product(), "count": c.rng.randint(1, 3), "unit": "件",
              "amount": c.d_amount(9, 9000, num=True), "currency": "CNY", "sourceArea": "CHN",
              "weight": round(c.rng.uniform(0.2, 15), 1)}]
    order = {"language": "zh-CN", "orderId": c.d_order("QIAO-"), "cargoDetails": cargo,
             "contactInfoList": [sender, rc], "customsInfo": {}, "expressTypeId": c.pick([1, 2, 6]),
             "extraInfoList": [], "isOneselfPickup": 0, "isReturnRoutelabel": 1,
             "monthlyCard": D(digits(c.rng, 10, "57"), "monthly_account"), "parcelQty": 1, "payMethod": c.pick([1, 2, 3]),
             "totalWeight": cargo[0]["weight"], "sendStartTm": c.d_ts()}
    if c.chance(0.6):
        order["remark"] = remark_delivery(c, recv)
    if c.chance(0.35):
        inner = {"buyerNick": D("tb" + digits(c.rng, 10), "account_id"), "platformOrderNo": c.d_order(),
                 "buyerMemo": remark_delivery(c, recv)}
        order["extraInfoList"].append({"attrName": "ext_order_info", "attrVal": J(inner, rand_style(c.rng))})
    if c.chance(0.2):
        order["extraInfoList"].append({"attrName": "backupMobile", "attrVal": P(recv.phone, "phone", "abbrev_key")})
    if c.chance(0.88):
        return {"partnerID": D(c.pick(["Y7", "QX", "KH"]) + hexs(c.rng, 6), "app_id"), "requestID": c.d_uuid(),
                "serviceCode": "EXP_RECE_CREATE_ORDER", "timestamp": c.d_ts("ms"),
                "msgDigest": c.d_sign(16), "msgData": J(order, rand_style(c.rng))}
    # response: no personal data, only look-alikes
    res = {"success": True, "errorCode": "S0000", "errorMsg": None,
           "msgData": {"orderId": c.d_order("QIAO-"), "originCode": "755", "destCode": "571", "filterResult": 2,
                       "remark": "", "waybillNoInfoList": [{"waybillType": 1, "waybillNo": c.d_waybill()}],
                       "routeLabelInfo": [{"code": "1000", "message": "SUCCESS",
                                           "routeLabelData": {"waybillNo": c.d_waybill(), "sourceTransferCode": "755WF",
                                                              "destRouteLabel": "571WA-069", "proCode": "T4",
                                                              "codingMapping": "F33", "printIcon": "00000000"}}]}}
    return {"apiErrorMsg": "", "apiResponseID": c.d_uuid(upper=True), "apiResultCode": "A1000",
            "apiResultData": J(res, rand_style(c.rng))}


def shape_rail_12306(c):
    """12306-style rail ticketing: passengers/query response, confirmPassenger/checkOrderInfo form
    relayed by a ticketing partner, queryMyOrder response."""
    r = c.rng.random()
    n = c.rng.randint(1, 3)
    pax = [c.person(style=c.pick(["han"] * 8 + ["minority", "trad"])) for _ in range(n)]
    if r < 0.4:
        lst = []
        for i, q in enumerate(pax):
            passport = q.style == "trad"
            lst.append({"code": str(i + 1), "passenger_name": P(q.name, "name"),
                        "sex_code": "M" if q.male else "F", "sex_name": "男" if q.male else "女",
                        "born_date": P(fmt_date(q.birth, "dt"), "birth_date"), "country_code": "CN",
                        "passenger_id_type_code": "B" if passport else "1",
                        "passenger_id_type_name": "护照" if passport else "居民身份证",
                        "passenger_id_no": P(q.passport, "passport") if passport else P(q.id, "id_number"),
                        "passenger_type": "1", "passenger_flag": "0", "passenger_type_name": "成人",
                        "mobile_no": (P(q.phone, "phone") if c.chance(0.7) else c.d_masked_phone(q)) if c.chance(0.85) else "",
                        "phone_no": P(fmt_landline(c.rng, q.landline), "phone") if c.chance(0.15) else "",
                        "email": P(q.email, "email") if c.chance(0.4) else "",
                        "address": P(q.addr["full"], "address") if c.chance(0.3) else "",
                        "postalcode": "", "first_letter": "", "recordCount": str(n), "total_times": "99",
                        "index_id": str(i), "allEncStr": D(hexs(c.rng, 96), "encrypted_token"),
                        "isAdult": "Y", "isYongThan10": "N", "isYongThan14": "N",
                        "isOldThan60": "Y" if q.age > 60 else "N", "if_receive": "Y", "is_active": "Y",
                        "is_buy_ticket": "N", "last_time": c.d_ts("date8"), "mobile_check_time": "",
                        "email_active_time": "", "last_update_time": "",
                        "passenger_uuid": D(hexs(c.rng, 64), "account_id"), "gat_born_date": "",
                        "gat_valid_date_start": "", "gat_valid_date_end": "", "gat_version": ""})
        return {"validateMessagesShowId": "_validatorMessage", "status": True, "httpstatus": 200,
                "data": {"isExist": True, "exMsg": "", "two_isOpenClick": ["93", "95", "97", "99"],
                         "other_isOpenClick": ["91", "93", "98", "99", "95", "97"],
                         "normal_passengers": lst, "dj_passengers": []},
                "messages": [], "validateMessages": {}}
    f, t = c.rng.sample(TRAIN_ST, 2)
    train = D(c.pick("GDGDK") + str(c.rng.randint(11, 9999)), "train_no")
    if r < 0.75:
        pts, ops = [], []
        for i, q in enumerate(pax):
            if i:
                pts.append("_")
            pts += ["O,0,1,", P(q.name, "name"), ",1,", P(q.id, "id_number"), ",", P(q.phone, "phone"), ",N"]
            ops += [P(q.name, "name"), ",1,", P(q.id, "id_number"), ",1_"]
        pairs = [("cancel_flag", "2"), ("bed_level_order_num", "000000000000000000000000000000"),
                 ("passengerTicketStr", C(*pts)), ("oldPassengerStr", C(*ops)), ("tour_flag", "dc"),
                 ("randCode", ""), ("whatsSelect", "1"), ("sessionId", ""), ("sig", ""), ("scene", "nc_login"),
                 ("_json_att", ""), ("REPEAT_SUBMIT_TOKEN", c.d_nonce())]
        form = KV(pairs, plus=c.chance(0.5))
        out = {"partnerId": D("OTA" + digits(c.rng, 6), "app_id"), "orderNo": c.d_order("TR"),
               "trainDate": c.d_ts("date", 86400 * c.rng.randint(1, 14)), "trainCode": train,
               "fromStation": D(f[0], "place_name"), "fromStationCode": f[1], "toStation": D(t[0], "place_name"),
               "toStationCode": t[1], "seatType": "O"}
        if c.chance(0.3):
            out["formB64"] = B64(form)
        else:
            out["form"] = form
        out.update(timestamp=c.d_ts("ms"), sign=c.d_sign(32))
        if c.chance(0.3):
            out["contactMobile"] = P(pax[0].phone, "phone")
        return out
    tickets = []
    for q in pax:
        masked = c.chance(0.6)
        tickets.append({"passengerDTO": {"passenger_name": P(q.name, "name"), "passenger_id_type_code": "1",
                                         "passenger_id_type_name": "居民身份证",
                                         "passenger_id_no": c.d_masked_id(q) if masked else P(q.id, "id_number"),
                                         "total_times": "98"},
                        "stationTrainDTO": {"station_train_code": train, "from_station_telecode": f[1],
                                            "from_station_name": D(f[0], "place_name"), "to_station_telecode": t[1],
                                            "to_station_name": D(t[0], "place_name")},
                        "ticket_no": D("E" + digits(c.rng, 9) + digits(c.rng, 8), "ticket_no"),
                        "coach_no": "%02d" % c.rng.randint(1, 16), "seat_no": "%04d" % c.rng.randint(1, 90),
                        "seat_name": "%02d%s号" % (c.rng.randint(1, 18), c.pick("ABCDF")), "seat_type_name": "二等座",
                        "str_ticket_price_page": c.d_amount(20, 900), "ticket_status_name": "已支付",
                        "reserve_time": c.d_ts()})
    return {"validateMessagesShowId": "_validatorMessage", "status": True, "httpstatus": 200,
            "data": {"orderDBList": [{"sequence_no": D("E" + digits(c.rng, 9), "order_no"), "order_date": c.d_ts(),
                                      "ticket_totalnum": len(tickets), "ticket_price_all": c.d_amount(50, 3000),
                                      "tickets": tickets}], "order_total_number": "1"},
            "messages": [], "validateMessages": {}}


def _long_roman(p):
    return len(p.sur_r) >= 3 and len(p.given_r.replace(" ", "")) >= 3


def merchant_addr_en(c):
    u = c.pick(URBAN[:25])
    st = c.pick(u[7])
    return D("%dF, No. %d %s, %s District, %s" % (c.rng.randint(2, 40), c.rng.randint(1, 999), st[1],
                                                  dist_en(u[3]), city_en(u[2])), "merchant_address")


def shape_amadeus_flight_order(c):
    """Amadeus Self-Service Flight Create Orders (travelers with PASSPORT documents, contacts)."""
    n = c.rng.randint(1, 3)
    travelers = []
    pax = []
    while len(pax) < n:
        q = make_person(c.rng, style=c.pick(["han"] * 7 + ["trad", "minority"]))
        if _long_roman(q):
            c.persons.append(q)
            pax.append(q)
    for i, q in enumerate(pax):
        tr = {"id": str(i + 1), "dateOfBirth": P(fmt_date(q.birth, "iso"), "birth_date"),
              "name": {"firstName": P(q.given_r.replace(" ", " "), "name", "romanized"),
                       "lastName": P(q.sur_r, "name", "romanized")},
              "gender": "MALE" if q.male else "FEMALE"}
        if i == 0 or c.chance(0.4):
            hk = q.hk_phone is not None
            tr["contact"] = {"emailAddress": P(q.email, "email"),
                             "phones": [{"deviceType": "MOBILE", "countryCallingCode": "852" if hk else "86",
                                         "number": P(q.hk_phone if hk else q.phone, "phone")}]}
        if c.chance(0.9):
            hk = q.style == "trad"
            tr["documents"] = [{"documentType": "PASSPORT", "issuanceLocation": D(c.pick(AIRPORTS[:6])[2], "place_name"),
                                "issuanceDate": "%d-%02d-%02d" % (c.rng.randint(2015, 2023), c.rng.randint(1, 12), c.rng.randint(1, 28)),
                                "number": P(q.passport, "passport"),
                                "expiryDate": "%d-%02d-%02d" % (c.rng.randint(2026, 2034), c.rng.randint(1, 12), c.rng.randint(1, 28)),
                                "issuanceCountry": "HK" if hk else "CN", "validityCountry": "HK" if hk else "CN",
                                "nationality": "CN", "holder": True}]
        travelers.append(tr)
    a, b = c.rng.sample(AIRPORTS, 2)
    dur_h, dur_m = c.rng.randint(1, 12), c.rng.randint(0, 59)
    dep_t = c.when + datetime.timedelta(days=c.rng.randint(3, 40), seconds=c.rng.randrange(0, 86400) // 300 * 300)
    dep = dep_t.strftime("%Y-%m-%dT%H:%M:00")
    arr = (dep_t + datetime.timedelta(hours=dur_h, minutes=dur_m)).strftime("%Y-%m-%dT%H:%M:00")
    offer = {"type": "flight-offer", "id": "1", "source": "GDS", "instantTicketingRequired": False,
             "nonHomogeneous": False, "lastTicketingDate": c.ts("date"),
             "itineraries": [{"duration": "PT%dH%dM" % (dur_h, dur_m),
                              "segments": [{"departure": {"iataCode": a[0], "terminal": str(c.rng.randint(1, 3)), "at": dep},
                                            "arrival": {"iataCode": b[0], "at": arr}, "carrierCode": c.pick(["MU", "CA", "CZ", "HX", "NH"]),
                                            "number": str(c.rng.randint(100, 999)), "aircraft": {"code": c.pick(["33E", "32N", "789", "359"])},
                                            "id": "1", "numberOfStops": 0}]}],
             "price": {"currency": "CNY", "total": c.d_amount(600, 16000), "base": "%d.00" % c.rng.randint(400, 9000)},
             "validatingAirlineCodes": ["MU"],
             "travelerPricings": [{"travelerId": str(i + 1), "fareOption": "STANDARD", "travelerType": "ADULT"}
                                  for i in range(n)]}
    data = {"type": "flight-order"}
    if c.chance(0.4):
        data.update(id=D(b64_random(c.rng, 18).rstrip("="), "order_no"), queuingOfficeId="NCE4D31SB",
                    associatedRecords=[{"reference": D("".join(c.pick("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)), "booking_ref"),
                                        "creationDate": c.d_ts("iso"), "originSystemCode": "GDS", "flightOfferId": "1"}])
    data["flightOffers"] = [offer]
    data["travelers"] = travelers
    q0 = pax[0]
    if c.chance(0.6):
        data["remarks"] = {"general": [{"subType": "GENERAL_MISCELLANEOUS",
                                        "text": T("PAX ", P("%s/%s" % (q0.sur_r, q0.given_r), "name"), " REQ ",
                                                  c.pick(["AISLE SEAT", "VGML", "WCHR", "BSCT", "EXTRA BAG"]),
                                                  " CTCM ", P("86" + q0.phone, "phone"))}]}
    data["ticketingAgreement"] = {"option": "DELAY_TO_CANCEL", "delay": "6D"}
    if c.chance(0.7):
        booker = pax[0] if c.chance(0.5) else None
        if booker is None:
            bq = make_person(c.rng)
            if _long_roman(bq):
                c.persons.append(bq)
                booker = bq
        contact = {"companyName": D(c.pick(["SHANGHAI HUAXIA TRAVEL SERVICE CO LTD", "SKYWAY BUSINESS TRAVEL",
                                            "CN PARTNER PAY TRAVEL DESK"]), "company_name"),
                   "purpose": "STANDARD",
                   "phones": [{"deviceType": "LANDLINE", "countryCallingCode": "86",
                               "number": D(c.pick(["4008208820", "4006006666", "95588"]), "service_hotline")}],
                   "emailAddress": c.d_service_email("travel-desk.cn", ("booking", "ticketing", "service")),
                   "address": {"lines": [merchant_addr_en(c)], "postalCode": "200120", "cityName": "SHANGHAI",
                               "countryCode": "CN"}}
        if booker is not None:
            contact["addresseeName"] = {"firstName": P(booker.given_r, "name", "romanized"),
                                        "lastName": P(booker.sur_r, "name", "romanized")}
        data["contacts"] = [contact]
    out = {"data": data}
    if "associatedRecords" in data:
        out["dictionaries"] = {"locations": {a[0]: {"cityCode": a[0], "countryCode": "CN"},
                                             b[0]: {"cityCode": b[0], "countryCode": "XX"}}}
    return out


def shape_insurance(c):
    """Insurance: policy issuance / claim (fooins insbiz REST API) and a Ping An style
    purchase request (policyholdersInfo / insurantInfoList / linkManInfo)."""
    r = c.rng.random()
    p = c.person(min_age=25, max_age=60)

    def fooins_person(q, rel=None, premium=False):
        passport = q.style == "trad" or c.chance(0.08)
        d = {}
        if rel:
            d["relationship"] = rel
        d.update(name=P_name(c, q, roman_ok=passport), idType="passport" if passport else "idcard",
                 idNo=P(q.passport, "passport") if passport else P(q.id, "id_number"),
                 gender="man" if q.male else "female", birth=P(fmt_date(q.birth, "iso_t"), "birth_date"),
                 contactNo=P(fmt_phone(c.rng, q.phone, c.pick(["+86", "plain", "+86sp"])), "phone"),
                 email=P(q.email, "email"))
        if premium:
            d["premium"] = c.d_amount(5, 800, num=True)
        return d

    if r < 0.35:
        ins = [(p, "self")]
        if c.chance(0.5):
            ins.append((c.person(min_age=50, max_age=80), "parents"))
        body = {"orderNo": D(hexs(c.rng, 32), "order_no"), "contractCode": "C%05d" % c.rng.randint(1, 99),
                "contractVersion": "1", "planCode": "PL%04d" % c.rng.randint(1, 30),
                "effectiveTime": c.d_ts("isoz", 86400), "expiryTime": c.d_ts("isoz", 86400 * 365),
                "premium": c.d_amount(10, 3000, num=True), "applicants": [fooins_person(p)],
                "insureds": [fooins_person(q, rel, True) for q, rel in ins]}
        if c.chance(0.35):
            body["extInfo"] = B64({"channelUserId": c.d_mobile_like(),
                                   "agentRemark": T("由业务员", P(c.person().name, "name"), "线下推荐，客户",
                                                    P(p.name, "name"), "已确认健康告知")}, rand_style(c.rng))
        return body
    if r < 0.65:
        kid = c.person(min_age=3, max_age=16) if c.chance(0.5) else c.person(min_age=20, max_age=70)
        lm = c.person()

        def pa_person(q):
            return {"insurantName": P(q.name, "name"), "insurantIdType": "1", "insurantIdno": P(q.id, "id_number"),
                    "insurantBirth": P_birth(c, q, "iso"), "insurantSex": "M" if q.male else "F",
                    "mobile": P(q.phone, "phone") if c.chance(0.8) else "",
                    "email": P(q.email, "email") if c.chance(0.6) else ""}

        ins = pa_person(kid)
        ins.update(personType="2", type="1",
                   planInfoList=[{"benLevel": "00", "planCode": "P0%d" % c.rng.randint(30000, 39999),
                                  "sumIns": str(c.pick([100000, 350000, 500000])), "premType": "1", "premTerm": "12"}])
        return {"from": c.pick(["wap-chaoshi", "app-jinrong", "mini-wx"]),
                "clientNo": D(digits(c.rng, 19, "4"), "customer_no"), "userChannel": "0", "payPlatform": "00",
                "buyPlatform": "1", "orderType": "0", "productId": str(c.rng.randint(10000000, 10099999)),
                "productCode": str(c.rng.randint(10000000, 10099999)), "productInsuranceCode": "P11%02dB48" % c.rng.randint(10, 99),
                "quantity": "1", "serialNo": c.d_id_like(), "orderSpliteFlag": "1",
                "policyholdersInfo": pa_person(p),
                "insuranceInfoList": [{"insurantInfoList": [ins],
                                       "policyInfo": {"insuranceBeginTime": c.d_ts(), "insuranceStartTime": c.d_ts(),
                                                      "insurancePeriod": "365", "insurancePriodUnit": "D",
                                                      "annualPremium": c.d_amount(100, 5000), "actualPremium": c.d_amount(100, 5000),
                                                      "discount": "1"},
                                       "preOrderNo": c.d_order(),
                                       "linkManInfo": {"linkManName": P(lm.name, "name"),
                                                       "linkManMobileNo": P(lm.phone, "phone")}}]}
    # claim with hospital invoices
    hosp = c.d_hospital()
    inv = []
    for _ in range(c.rng.randint(1, 3)):
        inv.append({"invoiceCode": c.d_invoice(), "invoiceNo": D(digits(c.rng, 8, "0"), "invoice_no"),
                    "hospitalName": D(hosp.value, "hospital_name"), "patientName": P(p.name, "name"),
                    "medicalInsuranceNo": P(p.id, "id_number") if c.chance(0.4) else "",
                    "visitDate": c.ts("date", -86400 * c.rng.randint(3, 30)),
                    "totalAmount": c.d_amount(80, 20000), "selfPayAmount": c.d_amount(10, 5000),
                    "dept": D(c.pick(DEPTS), "department_name")})
    claim = {"reportNo": c.d_claim(), "reportTime": c.d_ts(), "accidentTime": c.d_ts("dt", -86400 * 20),
             "accidentDesc": T(P(p.name, "name"), "于", c.ts("date", -86400 * 20), "在", D(hosp.value, "hospital_name"),
                               c.pick(["门诊就诊，诊断为急性支气管炎", "住院治疗，诊断为腰椎间盘突出", "急诊就诊，诊断为左腕骨折"]),
                               "，自付", c.d_amount(50, 5000), "元，联系电话", P_phone(c, p)),
             "invoices": inv,
             "payee": {"accountName": P(p.name, "name"),
                       "accountNo": c.d_masked_card(p) if c.chance(0.3) else P_card(c, p), "bankName": c.d_branch(),
                       "mobile": P(p.phone, "phone")}}
    if c.chance(0.3):
        claim["hospitalAddress"] = c.d_merchant_addr("hospital_address")
    return {"policyNo": c.d_policy(), "insureds": [dict(no=D(hexs(c.rng, 12), "account_id"), **fooins_person(p, "self"))],
            "claimInfo": claim,
            "attachments": [{"type": "INVOICE", "fileUrl": "https://claims-oss.example-ins.cn/%s.jpg" % hexs(c.rng, 20)}]}


def shape_loan_credit_apply(c):
    """Consumer-loan credit application pushed by a channel (user_base_info, identification_info,
    face_info, contact_info, credict_card_info, location_info, device_info)."""
    p = c.person(min_age=21, max_age=55)
    model, os_type, os_ver = c.pick(DEVICE_MODELS)
    ios = os_type == "ios"
    base = {"name": P(p.name, "name"), "identification_no": P(p.id, "id_number"), "mobile": P(p.phone, "phone"),
            "audit_mobile": P(fmt_phone(c.rng, p.phone), "phone"),
            "education_enum": c.pick(["初中及以下", "中专", "高中", "大专", "本科", "硕士"]),
            "marriage_enum": c.pick(["已婚", "未婚", "其他"]), "company_name": c.d_company(p.addr["city"].rstrip("市")),
            "company_telephone": D("%s-%s" % (LANDLINE_AREA.get(p.addr["city"], "0571"), digits(c.rng, 8, "8")),
                                   "company_phone"),
            "company_address": c.d_merchant_addr("company_address", p.addr["city"]),
            "company_credit_code": c.d_credit_code(p.id_area if p.id_area != "810000" else "330106"),
            "residence_address": P(p.addr[c.pick(["full", "nocity"])], "address"),
            "graduation_years": c.rng.randint(1, 25), "email": P(p.email, "email") if c.chance(0.7) else "",
            "birth_day": P(fmt_date(p.birth, "compact"), "birth_date"),
            "income_information": c.pick(["3000-5000", "5000-10000", "10000-20000", "20000以上"])}
    ident = {"identification_no": P(p.id, "id_number"), "name": P(p.name, "name"),
             "identification_address": P(p.addr["full"], "address"),
             "valid_date": "%d.%02d.%02d-%s" % (c.rng.randint(2012, 2022), c.rng.randint(1, 12), c.rng.randint(1, 28),
                                                c.pick(["长期", "2036.05.01", "2041.11.20"])),
             "nation": nation_of(p), "issue_group": D(authority_of(p), "authority_name"),
             "idcard_front": face_or_url(c, p, 0.12), "idcard_back": "https://kyc-img.oss-cn-hangzhou.aliyuncs.com/b/%s.jpg" % hexs(c.rng, 20)}
    face = {"identify_score": c.rng.randint(70, 99), "identify_result": "通过",
            "hack_score": "%.3f" % c.rng.uniform(0, 0.2), "face_photo": face_or_url(c, p, 0.45)}
    close, common = c.person(), c.person()
    contacts = [c.person() for _ in range(c.rng.randint(1, 3))]
    sms_bank, sms_suf = c.pick(BANKS)
    contact = {"close_mobile": P(close.phone, "phone"), "close_name": P(close.name, "name"),
               "common_mobile": P(fmt_phone(c.rng, common.phone), "phone"), "common_name": P(common.name, "name"),
               "contact_cnt": c.rng.randint(30, 900),
               "other_contact_list": [{"name": P(q.name, "name"), "mobile": P(q.phone, "phone")} for q in contacts],
               "supplier": c.pick(["中国移动", "中国联通", "中国电信"]),
               "short_message": T("【", sms_bank, "】尊敬的客户，您尾号", p.card[-4:], "的账户",
                                  c.ts("date")[5:], "收入工资", c.d_amount(3000, 20000), "元。如有疑问请致电",
                                  c.d_hotline())}
    loc = {"meridian": P("%.6f" % p.lng, "location", "abbrev_key"), "parallel": P("%.6f" % p.lat, "location", "abbrev_key"),
           "ip": P_ip(c, p), "detail_address": P(p.addr[c.pick(["full", "nocity"])], "address")}
    dev = {"brand": c.pick(["Apple"] if ios else ["HUAWEI", "Xiaomi", "vivo", "OPPO", "samsung"]),
           "model": D(model, "device_model"), "os_type": "IOS" if ios else "ANDROID",
           "imei": "" if ios else P(p.imei, "device"), "imsi": "" if ios else P(p.imsi, "device"),
           "client_mac": P(p.mac, "device") if c.chance(0.7) else "",
           "client_ip": P_ip(c, p, v6=c.chance(0.3)), "device_id": P(p.idfa if ios else p.oaid, "device"),
           "idfa_uuid": P(p.idfa, "device") if ios else "",
           "wifi_name": c.pick(["TP-LINK_5G", "ChinaNet-Home", "CMCC-WIFI", "MERCURY_2.4G"]),
           "android_id": "" if ios else P(p.android_id, "device"), "os_version": os_ver,
           "memory": c.pick(["6GB", "8GB", "12GB"]), "total_space": c.pick(["128GB", "256GB", "512GB"]),
           "useful_space": "%dGB" % c.rng.randint(10, 100), "screen_resolution": "1080*2400",
           "network_status": c.pick(["WIFI", "4G", "5G"]), "dpi": "440", "height": "2400", "width": "1080",
           "app_list": "com.tencent.mm,com.eg.android.AlipayGphone,com.taobao.taobao,com.sankuai.meituan"}
    out = {"user_id": c.d_mobile_like(), "apply_no": c.d_order("AP"), "user_base_info": base,
           "identification_info": ident, "face_info": face, "contact_info": contact}
    if c.chance(0.4):
        b = c.pick([x for x in CARD_BINS if x[1] == 16])
        body = b[0] + digits(c.rng, 9)
        p.credit = body + luhn_digit(body)
        out["credict_card_info"] = {"card_no": P(p.credit, "bank_card"), "repayment_day": "%02d" % c.rng.randint(1, 28),
                                    "limit": str(c.pick([8000, 20000, 50000]))}
    if c.chance(0.5):
        out["apply_remark"] = T("申请人自述在", D(base["company_name"].value, "company_name"), "工作", c.pick(["三年", "五年", "半年"]),
                                "，紧急联系人", P(close.name, "name"), c.pick(["为其配偶", "为其父亲", "为同事"]),
                                "，现住", P(p.addr["comm"], "address"))
    out["location_info"] = loc
    out["device_info"] = dev
    out["third_info"] = J({"zmScore": str(c.rng.randint(550, 800)), "source": "zhima"}, rand_style(c.rng)) if c.chance(0.5) else ""
    if c.chance(0.5):
        out["other"] = kv_or_b64(c, [("step1_ms", str(c.rng.randint(2000, 90000))),
                                     ("step2_ms", str(c.rng.randint(2000, 90000))),
                                     ("contact_phone", P(close.phone, "phone")),
                                     ("ip", P_ip(c, p, v6=False))], 0.6)
    return out


def shape_gongmall_payroll(c):
    """GongMall flexible-employment payroll: importPayroll (payrollContent JSON text), payrollReport,
    payment-result callback (bizContent)."""
    r = c.rng.random()
    staff = [c.person() for _ in range(c.rng.randint(1, 4))]
    env = {"appKey": D(hexs(c.rng, 32), "app_id"), "nonce": c.d_nonce(16), "timestamp": c.d_ts("ms"),
           "sign": D(hexs(c.rng, 32, True), "signature")}
    if r < 0.45:
        rows = [{"requestId": c.d_uuid(nodash=True), "name": P(q.name, "name"), "salaryAccount": P_card(c, q),
                 "amount": c.d_amount(800, 30000), "identity": P(q.id, "id_number"), "dateTime": c.d_ts("compact")}
                for q in staff]
        content = B64(rows, rand_style(c.rng)) if c.chance(0.2) else J(rows, rand_style(c.rng))
        return dict(env, batchNum=c.d_batch(), payrollContent=content)
    if r < 0.7:
        q = staff[0]
        params = {"name": P(q.name, "name"), "mobile": P(int(q.phone), "phone") if c.chance(0.3) else P(q.phone, "phone"),
                  "bankAccount": P_card(c, q),
                  "workNumber": D("E%06d" % c.rng.randint(1, 999999), "employee_no"), "amount": c.d_amount(800, 30000),
                  "identity": P(q.id, "id_number"), "dateTime": c.d_ts(),
                  "remark": c.pick([T("%d月绩效，" % c.when.month, P(q.name, "name")),
                                    T("代", P(q.name, "name"), "发放", c.d_merchant(), "门店兼职报酬"), ""])}
        return dict(env, batchno=c.d_batch(), parameters=params)
    succ, fail = [], []
    for q in staff:
        if c.chance(0.75):
            succ.append({"customerOrderNum": D("%02d-%04d" % (c.when.month, c.rng.randint(1, 9999)), "order_no"),
                         "name": P(q.name, "name"), "idNumber": P(q.id, "id_number"), "mobile": P(q.phone, "phone"),
                         "salaryAccount": P_card(c, q), "salaryAmount": c.d_amount(800, 30000),
                         "corporatePaymentAmount": c.d_amount(800, 32000), "taxAmount": c.d_amount(0, 900),
                         "addTaxAmount": "0.00", "addValueTaxAmount": "0.00", "manageFeeAmount": c.d_amount(1, 300),
                         "actuallyPaidInAmount": c.d_amount(700, 29000), "payDate": c.d_ts()})
        else:
            other = c.person()
            fail.append({"customerOrderNum": D("%02d-%04d" % (c.when.month, c.rng.randint(1, 9999)), "order_no"),
                         "name": P(q.name, "name"), "idNumber": P(q.id, "id_number"), "mobile": P(q.phone, "phone"),
                         "salaryAccount": P_card(c, q), "salaryAmount": c.d_amount(800, 30000),
                         "failReason": c.pick([T("户名与卡号不符，该卡开户人为", P(other.name, "name")),
                                               T("收款卡已注销，请联系", P(q.name, "name"), "更换银行卡"),
                                               "银行卡状态异常"])})
    biz = {"batchNum": c.d_batch(), "payStatus": 2 if not fail else 3, "paySuccessDetails": succ, "payFailDetails": fail}
    return dict(env, bizContent=J(biz, rand_style(c.rng)))


def shape_edaijia_order(c):
    """e-daijia (designated driver / car pick-up) third-party API: order/create, order/comment,
    order/sendMsg, order detail."""
    owner = c.person()
    r = c.rng.random()
    chan, cust = str(c.pick([86, 92, 104])), D("CH0%d" % c.rng.randint(100000000, 299999999), "merchant_id")
    if r < 0.5:
        pick = owner if c.chance(0.6) else c.person()
        store_staff = c.person()
        num = c.chance(0.4)
        ret_store = c.chance(0.7)
        car = c.pick([("雷克萨斯", "NX300h"), ("丰田", "凯美瑞"), ("宝马", "X3"), ("奥迪", "A6L"), ("蔚来", "ES6")])
        req = {"channel": chan, "customerId": cust, "type": "1", "mode": c.pick(["0", "1", "3"]),
               "createMobile": P(owner.phone, "phone"),
               "mobile": P(int(owner.phone), "phone") if num else P(owner.phone, "phone"),
               "username": P(owner.name, "name"),
               "pickupContactName": P(pick.name, "name"), "pickupContactPhone": P(pick.phone, "phone"),
               "pickupAddress": P(pick.addr[c.pick(["full", "nocity", "detail"])], "address"),
               "pickupAddressLng": P(pick.lng if num else "%.6f" % pick.lng, "location"),
               "pickupAddressLat": P(pick.lat if num else "%.6f" % pick.lat, "location")}
        if ret_store:
            req.update(returnContactName=P(store_staff.name, "name"),
                       returnContactPhone=c.pick([D("400-%03d-%04d" % (c.rng.randint(100, 999), c.rng.randint(0, 9999)), "service_hotline"),
                                                  P(store_staff.phone, "phone")]),
                       returnAddress=D("%s%s4S店" % (c.pick(["三元桥", "望京", "滨江", "天河"]), car[0]), "merchant_name"),
                       returnAddressLng="%.6f" % (pick.lng + 0.05), returnAddressLat="%.6f" % (pick.lat + 0.03))
        else:
            other = c.person()
            req.update(returnContactName=P(other.name, "name"), returnContactPhone=P(other.phone, "phone"),
                       returnAddress=P(other.addr["full"], "address"),
                       returnAddressLng=P("%.6f" % other.lng, "location"), returnAddressLat=P("%.6f" % other.lat, "location"))
        brand, series = car
        req.update(bookingTime=c.d_ts("compact", 3600), carBrandName=D(brand, "product_name"),
                   carSeriesName=D(series, "product_name"),
                   payMode="0", couponCode="", midAddress="", midAddressLng="", midAddressLat="",
                   fixedDriverId="", pushSms="0")
        return req
    if r < 0.65:
        drv = c.person(gender="M")
        content = c.pick([T("服务态度很棒，", P(drv.surname + "师傅" if c.chance(0.3) else drv.name, "name"), "开车很稳"),
                          T("投诉：代驾司机迟到四十分钟，我在", P(owner.addr["frag"], "address"), "等了很久，请联系我",
                            P_phone(c, owner)),
                          T("车已送到", c.d_merchant(), "，交给了", P(c.person().name, "name"), "，谢谢")])
        return {"orderId": D(digits(c.rng, 10, "1"), "order_no"), "channel": chan, "attitude": "50", "speed": "40",
                "content": content}
    if r < 0.8:
        props = {"code": digits(c.rng, 6), "name": P(owner.name, "name"), "phone": P(owner.phone, "phone")}
        if c.chance(0.5):
            props["address"] = P(owner.addr["detail"], "address")
        return {"channel": chan, "orderId": D(digits(c.rng, 10, "1"), "order_no"),
                "template": c.pick(["lexus_code_sms", "pickup_notice_sms"]), "role": c.pick(["1", "3", "4"]),
                "properties": B64(props, rand_style(c.rng)) if c.chance(0.3) else J(props, rand_style(c.rng))}
    drv = c.person(gender="M")
    trace = []
    for k in range(c.rng.randint(2, 4)):
        trace.append({"lng": P(round(owner.lng + k * 0.004, 6), "location"),
                      "lat": P(round(owner.lat + k * 0.003, 6), "location"), "time": c.d_ts("dt", k * 120)})
    return {"code": "0", "message": "success",
            "data": {"orderId": D(digits(c.rng, 10, "1"), "order_no"), "status": "301", "statusDesc": "司机代驾中",
                     "customerId": cust, "username": P(owner.name, "name"),
                     "mobile": c.d_masked_phone(owner) if c.chance(0.4) else P(owner.phone, "phone"),
                     "driverName": P(drv.name, "name"), "driverPhone": P(fmt_phone(c.rng, drv.phone), "phone"),
                     "driverNo": D("%s%05d" % (c.pick(["BJ", "SH", "HZ", "GZ"]), c.rng.randint(1, 99999)), "employee_no"),
                     "pickupAddress": P(owner.addr["full"], "address"),
                     "carBrandName": D(c.pick(["雷克萨斯", "丰田", "宝马"]), "product_name"), "trace": trace}}


def shape_hospital_his(c):
    """Hospital self-service platform (hosita): patient/create, patient_query, outpatient/register_commit,
    outpatient/register_list."""
    p = c.person(min_age=1, max_age=85)
    r = c.rng.random()
    hosp = c.d_hospital()
    if r < 0.25:
        body = {"name": P(p.name, "name"), "idcard": P(p.id, "id_number"),
                "mobile": P(int(p.phone), "phone") if c.chance(0.25) else P(p.phone, "phone"),
                "sex": "1" if p.male else "2", "age": str(p.age)}
        if p.age < 16:
            g = c.person(min_age=28, max_age=50)
            body.update(guardian_name=P(g.name, "name"), guardian_idcard=P(g.id, "id_number"),
                        mobile=P(g.phone, "phone"))
        if c.chance(0.3):
            body["ext1"] = P(p.addr["full"], "address", "abbrev_key")
        return body
    if r < 0.5:
        masked = c.chance(0.3)
        data = {"patient_id": c.d_mobile_like(), "card_no": D(digits(c.rng, 10, "9"), "medical_card_no"),
                "name": c.d_masked_name(p) if masked else P(p.name, "name"),
                "idcard": c.d_masked_id(p) if masked else P(p.id, "id_number"),
                "mobile": c.d_masked_phone(p) if masked else P(p.phone, "phone"),
                "sex": "1" if p.male else "2", "birthday": P_birth(c, p, "iso"), "address": P_addr(c, p),
                "hospital_name": hosp, "hospital_address": c.d_merchant_addr("hospital_address")}
        return {"code": "200", "success": True, "message": "查询成功", "data": data}
    if r < 0.75:
        body = {"mzh": D("MZ" + digits(c.rng, 10), "visit_no"), "index": c.d_id_like(),
                "patient_id": c.d_mobile_like(), "patient_name": P(p.name, "name"),
                "trade_no": c.d_trade(), "trade_channel_payid": D("42000" + digits(c.rng, 23), "trade_no"),
                "operator_id": str(c.rng.randint(9000, 9999))}
        ch = c.pick([("wxpay", "微信支付"), ("alipay", "支付宝"), ("unionpay", "云闪付")])
        body["channel_id"], body["channel_name"] = ch
        if c.chance(0.4):
            body["operator_name"] = P(c.person().name, "name")
        else:
            body["operator_name"] = "自助机"
        if c.chance(0.4):
            doc = c.person(min_age=30, max_age=65)
            body["attach"] = KV([("dept", D(c.pick(DEPTS), "department_name")), ("doctor", P(doc.name, "name")),
                                 ("mobile", P(p.phone, "phone"))], plus=c.chance(0.5))
        return body
    rows = []
    for _ in range(c.rng.randint(1, 3)):
        doc = c.person(min_age=30, max_age=65)
        row = {"state": 0, "operator_time": c.ts("dt")[11:], "register_date": c.d_ts("date"),
               "register_time": "%02d:%s:00" % (c.rng.randint(8, 16), c.pick(["00", "30"])),
               "register_no": D("GH" + digits(c.rng, 10), "order_no"), "reg_level_id": str(c.rng.randint(1, 4)),
               "reg_level_name": c.pick(["普通门诊", "副主任医师", "主任医师", "专家门诊"]),
               "reg_fee": c.d_amount(5, 100, num=True), "see_no": str(c.rng.randint(1, 60)), "see_flag": False,
               "dept_id": str(c.rng.randint(1000, 1999)), "dept_name": D(c.pick(DEPTS), "department_name"),
               "doctor_id": str(c.rng.randint(3000, 3999)), "doctor_name": P(doc.name, "name"),
               "trade_no": c.d_trade(), "hospital_name": D(hosp.value, "hospital_name")}
        if c.chance(0.4):
            row["remark"] = T("患者", P(p.name, "name"), "，%d岁，主诉" % p.age,
                              c.pick(["头痛三天", "咳嗽伴发热两天", "右膝关节疼痛一周", "腹痛腹泻"]),
                              "，家属", P(c.person().name, "name"), "陪同，电话", P_phone(c, p))
        rows.append(row)
    return {"code": "1", "message": "success", "patient_id": c.d_mobile_like(),
            "patient_name": P(p.name, "name"), "data": rows}


def shape_esign_rental(c):
    """e-signature for a residential rental contract (esign.cn): personal account creation (v2),
    template filling with component-id keys (v2), sign flow with psnSignerInfo (v3)."""
    tenant = c.person(min_age=20, max_age=45)
    landlord = c.person(min_age=35, max_age=75)
    r = c.rng.random()
    if r < 0.3:
        q = c.pick([tenant, landlord])
        hk = q.style == "trad"
        tp = c.rng.random()
        third = P(q.phone, "phone") if tp < 0.3 else (P(q.id, "id_number") if tp < 0.5 else D(hexs(c.rng, 24), "account_id"))
        return {"thirdPartyUserId": third, "name": P(q.name, "name"),
                "idType": "CRED_PSN_PASSPORT" if hk else "CRED_PSN_CH_IDCARD",
                "idNumber": P(q.passport, "passport") if hk else P(q.id, "id_number"),
                "mobile": P(q.phone, "phone"), "email": P(q.email, "email") if c.chance(0.6) else ""}
    rent = c.rng.randint(15, 120) * 100
    if r < 0.7:
        fields = [("甲方", P(landlord.name, "name", "abbrev_key")), ("甲方证件", P(landlord.id, "id_number", "abbrev_key")),
                  ("乙方", P(tenant.name, "name", "abbrev_key")), ("乙方证件", P(tenant.id, "id_number", "abbrev_key")),
                  ("乙方电话", P(tenant.phone, "phone", "abbrev_key")),
                  ("房屋地址", P(tenant.addr["full"], "address", "abbrev_key")),
                  ("月租金", D("%d" % rent, "amount", True)), ("押金", D("%d" % (rent * 2), "amount", True)),
                  ("起租日", D(c.ts("date", 86400 * 7), "timestamp", True)),
                  ("到期日", D(c.ts("date", 86400 * 372), "timestamp", True))]
        if c.chance(0.5):
            fields.append(("补充条款", T("乙方", P(tenant.name, "name"), "承租期间如需转租须经甲方", P(landlord.name, "name"),
                                      "书面同意；紧急联系人", P(c.person().name, "name"))))
        if c.chance(0.3):
            fields.append(("甲方收款账户", P(landlord.card, "bank_card", "abbrev_key")))
        c.rng.shuffle(fields)
        sff = {hexs(c.rng, 32): v for _, v in fields}
        return {"templateId": D(hexs(c.rng, 32), "template_id"), "name": "房屋租赁合同", "simpleFormFields": sff}
    signers = []
    if c.chance(0.4):
        agent = c.person()
        signers.append({"signerType": 1,
                        "orgSignerInfo": {"orgName": D("%s%s房地产经纪有限公司" % (tenant.addr["city"].rstrip("市"), c.pick(CO_WORDS)), "company_name"),
                                          "orgInfo": {"orgIDCardNum": c.d_credit_code(c.pick(URBAN)[0]),
                                                      "orgIDCardType": "CRED_ORG_USCC"},
                                          "transactorInfo": {"psnAccount": P(agent.phone, "phone"),
                                                             "psnInfo": {"psnName": P(agent.name, "name")}}},
                        "signFields": [{"fileId": D(hexs(c.rng, 32), "file_id"), "customBizNum": c.d_order("RENT")}]})
    for q in (landlord, tenant):
        acct = P(q.phone, "phone") if c.chance(0.7) else P(q.email, "email")
        signers.append({"signerType": 0,
                        "psnSignerInfo": {"psnAccount": acct,
                                          "psnInfo": {"psnName": P(q.name, "name"), "psnIDCardNum": P(q.id, "id_number"),
                                                      "psnIDCardType": "CRED_PSN_CH_IDCARD"}},
                        "signFields": [{"fileId": D(hexs(c.rng, 32), "file_id"),
                                        "normalSignFieldConfig": {"signFieldStyle": 1,
                                                                  "signFieldPosition": {"positionPage": "3",
                                                                                        "positionX": c.rng.randint(100, 400),
                                                                                        "positionY": c.rng.randint(100, 700)}}}]})
    return {"docs": [{"fileId": D(hexs(c.rng, 32), "file_id"), "fileName": "房屋租赁合同.pdf"}],
            "signFlowConfig": {"signFlowTitle": T("房屋租赁合同-", P(tenant.addr["frag"], "address"), "-", P(tenant.name, "name")),
                               "autoFinish": True, "notifyUrl": "https://api.partner-rent.cn/esign/notify",
                               "redirectConfig": {"redirectUrl": "https://m.partner-rent.cn/contract/done"}},
            "signers": signers}


def shape_telecom_order(c):
    """Telecom (China Telecom CRM style) real-name / new-install order: accNum, prodOrderItem.addrAttrVos
    name/attrValue pairs, orderMainProdAttrVos."""
    p = c.person()
    offer = c.pick(["新装", "改产品信息", "过户", "补换卡", "实名补登记"])
    addr_attrs = [{"name": "预约时段", "attrValue": c.pick(["09:00-12:00", "14:00-18:00"])},
                  {"name": "97标准地址", "attrValue": c.d_region(p.addr["prov"] + (p.addr["city"] if p.addr["city"] != p.addr["prov"] else ""))},
                  {"name": "预约时间", "attrValue": c.d_ts("date", 86400)},
                  {"name": "联系人", "attrValue": P(p.name, "name", "abbrev_key")},
                  {"name": "联系电话", "attrValue": P(p.phone, "phone", "abbrev_key")},
                  {"name": "详细地址", "attrValue": P(p.addr["detail"], "address", "abbrev_key")}]
    main = [{"attrId": 100000000259, "old": {"attrValue": "2级"}, "attrValue": "2级", "attrName": "详单查询等级"},
            {"attrId": 100000002902, "old": {"attrValue": "是"}, "attrValue": "是", "attrName": "实名制"},
            {"attrId": 100000003211, "old": {"attrValue": "普通"}, "attrValue": "普通", "attrName": "实名登记类型"},
            {"attrId": 100000002270, "old": {"attrValue": "流量"}, "attrValue": "流量", "attrName": "用户套餐类型"}]
    item = {"addrAttrVos": addr_attrs, "orderMainProdAttrVos": main, "invalidOrderSubPackVos": []}
    model, _, _ = c.pick(DEVICE_MODELS)
    if c.chance(0.7):
        item["custCertVo"] = {"custName": P(p.name, "name"), "certTypeName": "居民身份证", "certNum": P(p.id, "id_number"),
                              "certAddr": P(p.addr["full"], "address"), "certExpDate": "%d%02d%02d" % (
                                  c.rng.randint(2026, 2045), c.rng.randint(1, 12), c.rng.randint(1, 28))}
    if c.chance(0.5):
        item["terminalVo"] = {"terminalImei": P(p.imei, "device"), "terminalModel": D(model, "device_model")}
    clerk = c.person()
    item["staffVo"] = {"staffName": P(clerk.name, "name"), "staffCode": D("Y%08d" % c.rng.randint(1, 99999999), "employee_no"),
                       "channelName": D("中国电信%s%s营业厅" % (p.addr["city"].rstrip("市"), c.pick(["中心", "人民路", "高新", "城东"])), "merchant_name"),
                       "channelAddr": c.d_merchant_addr("merchant_address", p.addr["city"])}
    if c.chance(0.6):
        if offer == "过户":
            old = c.person()
            item["remark"] = T("原机主", P(old.name, "name"), "（", P(old.id, "id_number"), "）到厅确认过户给", P(p.name, "name"))
        else:
            item["remark"] = T("用户", P(p.name, "name"), "来厅办理", offer, "，备用联系电话", P_phone(c, p))
    acc = P(int(p.phone), "phone") if c.chance(0.3) else P(p.phone, "phone")
    return {"accNum": acc, "statusCd": "100000", "prodId": c.rng.randint(1000000, 1999999), "serviceOfferName": offer,
            "cancelFlag": False, "refreshFlag": False, "custOrderNbr": D("CO" + c.ts("compact") + digits(c.rng, 6), "order_no"),
            "acceptDate": c.d_ts(), "prodOrderItem": item}


JOB_TITLES = ["高级Java工程师", "产品经理", "数据分析师", "UI设计师", "销售主管", "财务专员", "运维工程师",
              "算法工程师", "人力资源经理", "新媒体运营"]
JOB_TITLES_EN = ["Senior Backend Engineer", "Product Manager", "Data Analyst", "UX Designer", "Sales Lead",
                 "Financial Analyst", "SRE", "Machine Learning Engineer"]


def shape_jsonresume(c):
    """Recruitment: resume in JSON Resume schema (basics/work/education/references) as pushed by a
    job board; some carry board-specific extensions (x-zhaopin)."""
    p = c.person(min_age=22, max_age=50)
    en = c.chance(0.3)
    co1, co2 = c.d_company(), c.d_company()
    basics = {"name": P(roman(c.rng, p, "title_given_first" if c.chance(0.6) else None), "name", "romanized") if en else P(p.name, "name"),
              "label": c.pick(JOB_TITLES_EN if en else JOB_TITLES),
              "image": face_or_url(c, p, 0.15, "cdn-resume.cn"), "email": P(p.email, "email"),
              "phone": P_phone(c, p), "url": "",
              "summary": (T("%d years of experience, most recently at " % c.rng.randint(2, 15), co1,
                            ". Reach me at ", P(p.email, "email"), " or ", P_phone(c, p), ".") if en else
                          T("%d年工作经验，曾就职于" % c.rng.randint(2, 15), co1, "，现居", P(p.addr["frag"], "address"),
                            "附近，可随时到岗。")),
              "location": {"address": P(p.addr["en"] if en else p.addr["detail"], "address"),
                           "postalCode": p.addr["post"], "city": c.d_region(p.addr["city"]),
                           "countryCode": "CN", "region": c.d_region(p.addr["prov"])},
              "profiles": []}
    work = [{"name": co1, "position": c.pick(JOB_TITLES_EN if en else JOB_TITLES), "url": "",
             "startDate": "%d-%02d" % (c.rng.randint(2016, 2020), c.rng.randint(1, 12)),
             "endDate": "%d-%02d" % (c.rng.randint(2021, 2024), c.rng.randint(1, 12)),
             "summary": "负责核心交易系统" if not en else "Owned the payments backend",
             "highlights": ["QPS提升3倍" if not en else "3x throughput"]},
            {"name": co2, "position": c.pick(JOB_TITLES), "startDate": "2013-07", "endDate": "2016-05"}]
    edu = [{"institution": c.d_school(), "url": "", "area": c.pick(["计算机科学与技术", "金融学", "市场营销", "统计学"]),
            "studyType": c.pick(["本科", "硕士", "大专"]), "startDate": "%d-09" % (p.birth.year + 18),
            "endDate": "%d-06" % (p.birth.year + 22), "score": "3.%d/4.0" % c.rng.randint(0, 9), "courses": []}]
    refs = []
    if c.chance(0.5):
        ref = c.person(min_age=30, max_age=60)
        refs.append({"name": P(ref.name, "name"),
                     "reference": T(P(ref.name, "name"), "是我在", D(co1.value, "company_name"), "的直属上级，可电话核实：",
                                    P_phone(c, ref))})
    resume = {"basics": basics, "work": work, "education": edu,
              "skills": [{"name": "后端开发", "level": "Master", "keywords": ["Java", "Go", "MySQL"]}],
              "languages": [{"language": "English", "fluency": "CET-6"}], "references": refs,
              "meta": {"version": "v1.0.0", "lastModified": c.d_ts("iso")}}
    if c.chance(0.5):
        ext = {"birthDate": P_birth(c, p), "expectedSalary": D("%dk-%dk" % (c.rng.randint(8, 30), c.rng.randint(31, 60)), "amount"),
               "currentCity": c.d_region(p.addr["city"]), "hukou": c.d_region(p.addr["prov"])}
        if c.chance(0.3):
            ext["idCard"] = P(p.id, "id_number")
        resume["x-zhaopin"] = ext
    w = c.rng.random()
    if w < 0.55:
        return resume
    wrap = {"resumeId": D(hexs(c.rng, 24), "account_id"), "channel": c.pick(["zhipin", "51job", "liepin", "zhaopin"]),
            "jobId": D("J" + digits(c.rng, 9), "order_no"), "pushTime": c.d_ts(),
            "candidate": {"displayName": c.d_masked_name(p), "maskedMobile": c.d_masked_phone(p),
                          "hrContact": c.d_service_email("jobs-hub.cn", ("hr", "recruit", "talent", "noreply"))}}
    if w < 0.85:
        wrap["resume"] = J(resume, rand_style(c.rng))
    else:
        wrap["resumeB64"] = B64(resume, rand_style(c.rng))
    return wrap


SHAPES = [
    ("tencent_cloud_kyc", shape_tencent_cloud_kyc),
    ("baidu_ocr", shape_baidu_ocr),
    ("aliyun_cloudauth", shape_aliyun_cloudauth),
    ("icbc_open_api", shape_icbc_open_api),
    ("bank_esb", shape_bank_esb),
    ("sf_express_order", shape_sf_express),
    ("rail_12306", shape_rail_12306),
    ("amadeus_flight_order", shape_amadeus_flight_order),
    ("insurance_policy_claim", shape_insurance),
    ("loan_credit_apply", shape_loan_credit_apply),
    ("gongmall_payroll", shape_gongmall_payroll),
    ("edaijia_order", shape_edaijia_order),
    ("hospital_his", shape_hospital_his),
    ("esign_rental_contract", shape_esign_rental),
    ("telecom_order", shape_telecom_order),
    ("jsonresume_recruit", shape_jsonresume),
]


# ---------------------------------------------------------------------------
# validation and main loop
# ---------------------------------------------------------------------------

def sensitive_strings(p):
    out = [p.name, p.id, p.phone, p.card, p.email, p.passport, p.imei, p.imsi, p.idfa, p.oaid, p.android_id,
           p.mac, p.ipv4, p.ipv6, p.addr["full"], p.addr["detail"], p.addr["comm"], p.addr["en"]]
    if p.hkid:
        out.append(p.hkid)
    if p.hk_phone:
        out.append(p.hk_phone)
    if p.face:
        out.append(p.face[:64])
    if getattr(p, "credit", None):
        out.append(p.credit)
    return [s for s in out if s and len(s) >= 2]


def uniq_first(items, key_idx=0):
    seen = {}
    for it in items:
        k = it[key_idx]
        if k not in seen:
            seen[k] = it
        elif PREC[it[2]] > PREC[seen[k][2]]:
            seen[k] = (seen[k][0], seen[k][1], it[2])
    return list(seen.values())


def build_one(seed, idx, shape_name, fn, attempt):
    rng = random.Random("heldout3:%d:%d:%d" % (seed, idx, attempt))
    c = Ctx(rng)
    tree = fn(c)
    style = rand_style(rng, top=True)
    real = Renderer("real")
    text = dumps(real.val(tree), style)
    erased = Renderer("erased")
    etext = dumps(erased.val(tree), style)
    labels = uniq_first(real.labels)
    decoys = uniq_first(real.decoys)
    t_real = "\x00".join(terminals(text))
    t_er = "\x00".join(terminals(etext))
    for v, cat, pl in labels:
        if len(v) < 2:
            return None, "short label %r" % v
        if v not in t_real:
            return None, "label not found after decoding: %r" % v[:40]
        if v in t_er:
            return None, "label value survives outside its labelled field: %r" % v[:40]
    for p in c.persons:
        for s in sensitive_strings(p):
            if s in t_er:
                return None, "unlabelled personal data: %r" % s[:40]
    kept = []
    lvals = [v for v, _, _ in labels]
    for v, kind, pl in decoys:
        if any(v in lv or lv in v for lv in lvals):
            continue  # the brief: drop such a decoy
        if v not in t_er:
            return None, "decoy lost: %r" % v[:40]
        kept.append((v, kind, pl))
    rec = {"api": shape_name, "split": "holdout", "doc": text,
           "pii": [{"category": cat, "value": v, "placement": pl} for v, cat, pl in labels],
           "decoys": [{"kind": k, "value": v, "placement": pl} for v, k, pl in kept]}
    return rec, None


def main():
    seed = int(os.environ.get("HELDOUT3_SEED", "20261204"))
    ndocs = int(os.environ.get("HELDOUT3_DOCS", "900"))
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    out = os.environ.get("HELDOUT3_OUT", "tests/heldout3/corpus.jsonl")
    if not os.path.isabs(out):
        out = os.path.join(root, out)
    order = list(range(len(SHAPES)))
    random.Random("heldout3-order:%d" % seed).shuffle(order)
    records, redraws, reasons = [], 0, {}
    for i in range(ndocs):
        name, fn = SHAPES[order[i % len(SHAPES)]]
        for attempt in range(200):
            rec, why = build_one(seed, i, name, fn, attempt)
            if rec is not None:
                break
            redraws += 1
            key = why.split(":")[0]
            reasons[key] = reasons.get(key, 0) + 1
        else:
            raise SystemExit("could not build document %d (%s): %s" % (i, name, why))
        records.append(rec)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    # ---- summary
    per_api, per_cat, per_pl, per_dk, per_dpl = {}, {}, {}, {}, {}
    nl = nd = 0
    for rec in records:
        per_api[rec["api"]] = per_api.get(rec["api"], 0) + 1
        for l in rec["pii"]:
            nl += 1
            per_cat[l["category"]] = per_cat.get(l["category"], 0) + 1
            per_pl[l["placement"]] = per_pl.get(l["placement"], 0) + 1
        for d in rec["decoys"]:
            nd += 1
            per_dk[d["kind"]] = per_dk.get(d["kind"], 0) + 1
            per_dpl[d["placement"]] = per_dpl.get(d["placement"], 0) + 1

    def show(title, dct, keys=None):
        print(title)
        for k in (keys or sorted(dct, key=lambda x: (-dct[x], x))):
            print("  %-24s %6d" % (k, dct.get(k, 0)))

    print("wrote %d documents to %s (%d bytes); seed %d; %d drafts redrawn" % (
        len(records), os.path.relpath(out, root) if out.startswith(root + os.sep) else out,
        os.path.getsize(out), seed, redraws))
    if reasons:
        print("redraw reasons: " + ", ".join("%s=%d" % (k, v) for k, v in sorted(reasons.items())))
    print("labels %d, decoys %d (decoys/labels = %.2f)" % (nl, nd, nd / max(1, nl)))
    show("documents per api:", per_api, [n for n, _ in SHAPES])
    show("labels per category:", per_cat, CATEGORIES)
    show("labels per placement:", per_pl, PLACEMENTS)
    show("decoys per kind:", per_dk)
    show("decoys per placement:", per_dpl, PLACEMENTS)


if __name__ == "__main__":
    main()
