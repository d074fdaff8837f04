#!/usr/bin/env python3
"""Held-out evaluation corpus #2 for the PII reverse proxy.

Deterministic generator (Python 3 standard library only).

    python3 tests/heldout2/generate.py            # writes tests/heldout2/corpus.jsonl
    HELDOUT2_SEED=7 HELDOUT2_OUT=draw-7.jsonl python3 tests/heldout2/generate.py

Every line is {"api", "split", "doc", "pii", "decoys"}; see README.md in this
directory for the format, the sources of the field names and what is stressed.
The script validates every line before writing it and prints summary tables.
"""

import base64
import collections
import datetime
import json
import os
import random
import re
import string
import struct
import sys
import urllib.parse
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
SEED = int(os.environ.get("HELDOUT2_SEED", "20240611"))
_out = os.environ.get("HELDOUT2_OUT", "tests/heldout2/corpus.jsonl")
OUT_PATH = _out if os.path.isabs(_out) else os.path.join(REPO_ROOT, _out)
N_DOCS = int(os.environ.get("HELDOUT2_DOCS", "1210"))

# --------------------------------------------------------------------------
# Vocabulary: people
# --------------------------------------------------------------------------

# (surname, pinyin, relative weight ~ per-mille frequency); common, rarer and
# compound surnames.
SURNAMES = [
    ("王", "Wang", 71), ("李", "Li", 70), ("张", "Zhang", 67), ("刘", "Liu", 54),
    ("陈", "Chen", 46), ("杨", "Yang", 31), ("黄", "Huang", 22), ("赵", "Zhao", 20),
    ("吴", "Wu", 18), ("周", "Zhou", 17), ("徐", "Xu", 13), ("孙", "Sun", 13),
    ("马", "Ma", 11), ("朱", "Zhu", 11), ("胡", "Hu", 10), ("郭", "Guo", 10),
    ("何", "He", 9), ("林", "Lin", 9), ("高", "Gao", 9), ("罗", "Luo", 8),
    ("郑", "Zheng", 8), ("梁", "Liang", 7), ("谢", "Xie", 6), ("宋", "Song", 6),
    ("唐", "Tang", 6), ("许", "Xu", 5), ("韩", "Han", 5), ("邓", "Deng", 5),
    ("冯", "Feng", 5), ("曹", "Cao", 5), ("彭", "Peng", 5), ("曾", "Zeng", 5),
    ("肖", "Xiao", 4), ("田", "Tian", 4), ("董", "Dong", 4), ("潘", "Pan", 4),
    ("袁", "Yuan", 4), ("蔡", "Cai", 3), ("蒋", "Jiang", 3), ("余", "Yu", 3),
    ("于", "Yu", 3), ("杜", "Du", 3), ("叶", "Ye", 3), ("程", "Cheng", 3),
    ("魏", "Wei", 3), ("苏", "Su", 3), ("吕", "Lv", 3), ("丁", "Ding", 3),
    ("任", "Ren", 3), ("卢", "Lu", 3), ("姚", "Yao", 3), ("沈", "Shen", 3),
    ("钟", "Zhong", 3), ("姜", "Jiang", 3), ("崔", "Cui", 2), ("谭", "Tan", 2),
    ("陆", "Lu", 2), ("范", "Fan", 2), ("汪", "Wang", 2), ("廖", "Liao", 2),
    ("石", "Shi", 2), ("金", "Jin", 2), ("韦", "Wei", 2), ("贾", "Jia", 2),
    ("夏", "Xia", 2), ("付", "Fu", 2), ("方", "Fang", 2), ("邹", "Zou", 2),
    ("熊", "Xiong", 2), ("白", "Bai", 2), ("孟", "Meng", 2), ("秦", "Qin", 2),
    ("邱", "Qiu", 2), ("侯", "Hou", 2), ("江", "Jiang", 2), ("尹", "Yin", 2),
    ("薛", "Xue", 2), ("闫", "Yan", 1), ("段", "Duan", 1), ("雷", "Lei", 1),
    ("龙", "Long", 1), ("黎", "Li", 1), ("史", "Shi", 1), ("陶", "Tao", 1),
    ("贺", "He", 1), ("毛", "Mao", 1), ("郝", "Hao", 1), ("顾", "Gu", 1),
    ("龚", "Gong", 1), ("邵", "Shao", 1), ("万", "Wan", 1), ("覃", "Qin", 1),
    ("武", "Wu", 1), ("钱", "Qian", 1), ("戴", "Dai", 1), ("严", "Yan", 1),
    ("莫", "Mo", 1), ("孔", "Kong", 1), ("向", "Xiang", 1), ("常", "Chang", 1),
    ("汤", "Tang", 1), ("康", "Kang", 1), ("易", "Yi", 1), ("乔", "Qiao", 1),
    ("赖", "Lai", 1), ("文", "Wen", 1),
    # rarer
    ("佘", "She", 0.3), ("禤", "Xuan", 0.2), ("冼", "Xian", 0.3), ("仝", "Tong", 0.2),
    ("訾", "Zi", 0.2), ("蔺", "Lin", 0.3), ("亓", "Qi", 0.2), ("晏", "Yan", 0.3),
    ("宓", "Mi", 0.2), ("栾", "Luan", 0.3), ("郗", "Xi", 0.2), ("逯", "Lu", 0.2),
    ("鞠", "Ju", 0.3), ("缪", "Miao", 0.3), ("巫", "Wu", 0.3), ("牛", "Niu", 0.5),
    ("尚", "Shang", 0.5), ("庞", "Pang", 0.5), ("甘", "Gan", 0.4), ("詹", "Zhan", 0.5),
    ("揭", "Jie", 0.2), ("阙", "Que", 0.2), ("苗", "Miao", 0.5), ("柴", "Chai", 0.4),
    ("樊", "Fan", 0.5), ("祝", "Zhu", 0.4), ("蒲", "Pu", 0.3), ("左", "Zuo", 0.4),
    ("翟", "Zhai", 0.4), ("卜", "Bu", 0.3), ("包", "Bao", 0.4), ("饶", "Rao", 0.3),
    ("喻", "Yu", 0.4), ("涂", "Tu", 0.4), ("凌", "Ling", 0.4), ("柏", "Bai", 0.2),
    ("岳", "Yue", 0.5), ("裴", "Pei", 0.4), ("闵", "Min", 0.3), ("戚", "Qi", 0.3),
    ("谷", "Gu", 0.4), ("聂", "Nie", 0.5), ("应", "Ying", 0.3), ("骆", "Luo", 0.3),
    ("蓝", "Lan", 0.3), ("符", "Fu", 0.3), ("车", "Che", 0.3),
    # compound
    ("欧阳", "Ouyang", 0.4), ("司马", "Sima", 0.15), ("上官", "Shangguan", 0.15),
    ("诸葛", "Zhuge", 0.1), ("东方", "Dongfang", 0.1), ("皇甫", "Huangfu", 0.1),
    ("尉迟", "Yuchi", 0.08), ("公孙", "Gongsun", 0.08), ("慕容", "Murong", 0.08),
    ("令狐", "Linghu", 0.08), ("长孙", "Zhangsun", 0.06), ("宇文", "Yuwen", 0.06),
    ("司徒", "Situ", 0.15), ("夏侯", "Xiahou", 0.06), ("端木", "Duanmu", 0.05),
    ("南宫", "Nangong", 0.05), ("独孤", "Dugu", 0.04), ("呼延", "Huyan", 0.04),
]

GIVEN_M = ("伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 鑫 波 宁 浩 凯 健 俊 帆 帅 旭 宇 晨 阳 龙 林 峰 "
           "建 国 文 志 海 东 亮 成 博 天 翔 毅 鸿 振 德 泽 昊 轩 睿 铭 辰 皓 煜 航 逸 然 宸 子 梓 一 诺 嘉 "
           "锦 沐 忠 永 庆 春 祥 福 荣 生 金 山 胜 新 光 学 兵 民 友 贵 彬 立 良 坤 晓 家 思 远 豪 云 宏 恒 "
           "卫 松 江 鹤 之 少").split()
GIVEN_F = ("芳 娜 敏 静 丽 艳 娟 霞 秀 燕 玲 桂 英 梅 莉 萍 红 雪 琳 婷 慧 颖 倩 洁 晶 佳 欣 怡 悦 琪 瑶 "
           "璐 蕾 薇 露 雯 妍 楠 菲 萱 涵 彤 诗 梦 雨 紫 兰 凤 月 冰 丹 蓉 琴 珍 玉 淑 惠 巧 美 青 晴 馨 "
           "若 曦 可 心 语 安 依 笑 媛 婉 茜 莹 娇 春 秋 晓 思 嘉 欣 宁 子 一").split()
REPEAT_F = ["婷婷", "丹丹", "晶晶", "欢欢", "莹莹", "佳佳", "楠楠", "琳琳", "露露", "萌萌"]
REPEAT_M = ["明明", "磊磊", "亮亮", "鹏鹏", "浩浩", "强强", "涛涛", "东东"]

PINYIN = {
    "伟": "wei", "强": "qiang", "磊": "lei", "军": "jun", "勇": "yong", "杰": "jie", "涛": "tao",
    "斌": "bin", "超": "chao", "明": "ming", "刚": "gang", "平": "ping", "辉": "hui", "鹏": "peng",
    "华": "hua", "飞": "fei", "鑫": "xin", "波": "bo", "宁": "ning", "浩": "hao", "凯": "kai",
    "健": "jian", "俊": "jun", "帆": "fan", "帅": "shuai", "旭": "xu", "宇": "yu", "晨": "chen",
    "阳": "yang", "龙": "long", "林": "lin", "峰": "feng", "建": "jian", "国": "guo", "文": "wen",
    "志": "zhi", "海": "hai", "东": "dong", "亮": "liang", "成": "cheng", "博": "bo", "天": "tian",
    "翔": "xiang", "毅": "yi", "鸿": "hong", "振": "zhen", "德": "de", "泽": "ze", "昊": "hao",
    "轩": "xuan", "睿": "rui", "铭": "ming", "辰": "chen", "皓": "hao", "煜": "yu", "航": "hang",
    "逸": "yi", "然": "ran", "宸": "chen", "子": "zi", "梓": "zi", "一": "yi", "诺": "nuo",
    "嘉": "jia", "锦": "jin", "沐": "mu", "忠": "zhong", "永": "yong", "庆": "qing", "春": "chun",
    "祥": "xiang", "福": "fu", "荣": "rong", "生": "sheng", "金": "jin", "山": "shan", "胜": "sheng",
    "新": "xin", "光": "guang", "学": "xue", "兵": "bing", "民": "min", "友": "you", "贵": "gui",
    "彬": "bin", "立": "li", "良": "liang", "坤": "kun", "晓": "xiao", "家": "jia", "思": "si",
    "远": "yuan", "豪": "hao", "云": "yun", "宏": "hong", "恒": "heng", "卫": "wei", "松": "song",
    "江": "jiang", "鹤": "he", "之": "zhi", "少": "shao",
    "芳": "fang", "娜": "na", "敏": "min", "静": "jing", "丽": "li", "艳": "yan", "娟": "juan",
    "霞": "xia", "秀": "xiu", "燕": "yan", "玲": "ling", "桂": "gui", "英": "ying", "梅": "mei",
    "莉": "li", "萍": "ping", "红": "hong", "雪": "xue", "琳": "lin", "婷": "ting", "慧": "hui",
    "颖": "ying", "倩": "qian", "洁": "jie", "晶": "jing", "佳": "jia", "欣": "xin", "怡": "yi",
    "悦": "yue", "琪": "qi", "瑶": "yao", "璐": "lu", "蕾": "lei", "薇": "wei", "露": "lu",
    "雯": "wen", "妍": "yan", "楠": "nan", "菲": "fei", "萱": "xuan", "涵": "han", "彤": "tong",
    "诗": "shi", "梦": "meng", "雨": "yu", "紫": "zi", "兰": "lan", "凤": "feng", "月": "yue",
    "冰": "bing", "丹": "dan", "蓉": "rong", "琴": "qin", "珍": "zhen", "玉": "yu", "淑": "shu",
    "惠": "hui", "巧": "qiao", "美": "mei", "青": "qing", "晴": "qing", "馨": "xin", "若": "ruo",
    "曦": "xi", "可": "ke", "心": "xin", "语": "yu", "安": "an", "依": "yi", "笑": "xiao",
    "媛": "yuan", "婉": "wan", "茜": "qian", "莹": "ying", "娇": "jiao", "秋": "qiu", "欢": "huan",
    "萌": "meng",
}

# Hong Kong (Cantonese romanisation) and Taiwan (Wade-Giles style) people.
HK_SUR = [("陳", "Chan"), ("李", "Lee"), ("張", "Cheung"), ("黃", "Wong"), ("劉", "Lau"),
          ("何", "Ho"), ("林", "Lam"), ("梁", "Leung"), ("鄭", "Cheng"), ("周", "Chow"),
          ("吳", "Ng"), ("馮", "Fung")]
HK_GIVEN = [("大文", "Tai Man"), ("家欣", "Ka Yan"), ("小明", "Siu Ming"), ("詠詩", "Wing Sze"),
            ("志強", "Chi Keung"), ("慧玲", "Wai Ling"), ("嘉偉", "Ka Wai"), ("美儀", "Mei Yee"),
            ("浩然", "Ho Yin"), ("凱琳", "Hoi Lam"), ("俊傑", "Chun Kit"), ("曉彤", "Hiu Tung")]
TW_SUR = [("陳", "Chen"), ("林", "Lin"), ("黃", "Huang"), ("張", "Chang"), ("李", "Lee"),
          ("王", "Wang"), ("吳", "Wu"), ("劉", "Liu"), ("蔡", "Tsai"), ("楊", "Yang"), ("許", "Hsu")]
TW_GIVEN = [("怡君", "Yi-Chun"), ("志明", "Chih-Ming"), ("雅婷", "Ya-Ting"), ("家豪", "Chia-Hao"),
            ("淑芬", "Shu-Fen"), ("俊傑", "Chun-Chieh"), ("美玲", "Mei-Ling"), ("冠宇", "Kuan-Yu"),
            ("宗翰", "Tsung-Han"), ("佩珊", "Pei-Shan"), ("建宏", "Chien-Hung"), ("欣怡", "Hsin-Yi")]

# --------------------------------------------------------------------------
# Vocabulary: geography (real provinces / cities / districts with GB/T 2260
# codes, real-looking street names, approximate city-centre coordinates).
# --------------------------------------------------------------------------

SUFFIX_EN = {"路": "Road", "大街": "Street", "街": "Street", "大道": "Avenue", "中路": "Middle Road",
             "北路": "North Road", "南路": "South Road", "东路": "East Road", "西路": "West Road",
             "北街": "North Street", "南大街": "South Street", "东大街": "East Street",
             "西大街": "West Street", "二段": "Section 2", "一段": "Section 1", "三段": "Section 3"}


def _c(key, prov, prov_py, city, city_py, muni, lat, lng, zipc, tel, dists, streets, towns, pois):
    return dict(key=key, prov=prov, prov_py=prov_py, city=city, city_py=city_py, muni=muni,
                lat=lat, lng=lng, zip=zipc, tel=tel,
                dists=[tuple(x.split("|")) for x in dists],
                streets=[tuple(x.split("|")) for x in streets],
                towns=towns.split(), pois=pois.split())


CITIES = [
    _c("bj", "北京市", "Beijing", "北京市", "Beijing", True, 39.92, 116.42, 100000, "010",
       ["朝阳区|Chaoyang|110105", "海淀区|Haidian|110108", "东城区|Dongcheng|110101", "西城区|Xicheng|110102",
        "丰台区|Fengtai|110106", "通州区|Tongzhou|110112", "昌平区|Changping|110114", "大兴区|Daxing|110115"],
       ["建设|Jianshe|路", "朝阳|Chaoyang|北路", "望京|Wangjing|西路", "中关村|Zhongguancun|大街", "学院|Xueyuan|路",
        "安立|Anli|路", "北苑|Beiyuan|路", "广渠|Guangqu|路", "西三环|Xisanhuan|北路", "回龙观|Huilongguan|西大街",
        "马家堡|Majiapu|东路", "双桥|Shuangqiao|中路", "新源|Xinyuan|街", "左家庄|Zuojiazhuang|北街"],
       "望京街道 建外街道 双井街道 中关村街道 学院路街道 酒仙桥街道 亚运村街道 回龙观街道",
       "望京 国贸三期 西单大悦城 三里屯 中关村 五道口 朝阳大悦城 王府井 双井 亦庄"),
    _c("sh", "上海市", "Shanghai", "上海市", "Shanghai", True, 31.23, 121.47, 200000, "021",
       ["浦东新区|Pudong New Area|310115", "徐汇区|Xuhui|310104", "静安区|Jing'an|310106", "长宁区|Changning|310105",
        "普陀区|Putuo|310107", "杨浦区|Yangpu|310110", "闵行区|Minhang|310112", "宝山区|Baoshan|310113",
        "虹口区|Hongkou|310109"],
       ["长寿|Changshou|路", "张杨|Zhangyang|路", "漕溪|Caoxi|北路", "淮海|Huaihai|中路", "南京|Nanjing|西路",
        "世纪|Shiji|大道", "国权|Guoquan|路", "古美|Gumei|路", "长江|Changjiang|南路", "曹杨|Caoyang|路",
        "延安|Yan'an|西路", "锦绣|Jinxiu|路", "虹梅|Hongmei|路", "控江|Kongjiang|路"],
       "长寿路街道 徐家汇街道 花木街道 五角场街道 淞南镇 古美路街道 曹杨新村街道 江宁路街道",
       "人民广场 徐家汇 陆家嘴 静安寺 五角场 中山公园 虹桥天地 七宝 正大广场"),
    _c("gz", "广东省", "Guangdong", "广州市", "Guangzhou", False, 23.13, 113.30, 510000, "020",
       ["天河区|Tianhe|440106", "越秀区|Yuexiu|440104", "海珠区|Haizhu|440105", "白云区|Baiyun|440111",
        "番禺区|Panyu|440113", "荔湾区|Liwan|440103"],
       ["天河|Tianhe|路", "中山|Zhongshan|大道西", "环市|Huanshi|东路", "江南|Jiangnan|大道中", "广州大道|Guangzhou Dadao|北",
        "员村|Yuancun|二横路", "工业|Gongye|大道南", "黄埔|Huangpu|大道西", "机场|Jichang|路", "东风|Dongfeng|中路"],
       "石牌街道 天园街道 江南中街道 三元里街道 市桥街道 华林街道",
       "天河城 北京路 珠江新城 番禺万达 正佳广场 上下九"),
    _c("sz", "广东省", "Guangdong", "深圳市", "Shenzhen", False, 22.55, 114.05, 518000, "0755",
       ["南山区|Nanshan|440305", "福田区|Futian|440304", "罗湖区|Luohu|440303", "宝安区|Bao'an|440306",
        "龙岗区|Longgang|440307", "龙华区|Longhua|440309"],
       ["科苑|Keyuan|路", "深南|Shennan|大道", "红荔|Hongli|路", "南山|Nanshan|大道", "民治|Minzhi|大道",
        "桃园|Taoyuan|路", "新洲|Xinzhou|路", "宝民|Baomin|一路", "布吉|Buji|路", "创业|Chuangye|路", "翠竹|Cuizhu|路"],
       "粤海街道 南头街道 香蜜湖街道 民治街道 新安街道 布吉街道 翠竹街道",
       "海岸城 万象天地 福田CBD 宝安中心 东门 华强北 COCO Park"),
    _c("hz", "浙江省", "Zhejiang", "杭州市", "Hangzhou", False, 30.27, 120.16, 310000, "0571",
       ["西湖区|Xihu|330106", "拱墅区|Gongshu|330105", "上城区|Shangcheng|330102", "滨江区|Binjiang|330108",
        "余杭区|Yuhang|330110", "萧山区|Xiaoshan|330109"],
       ["文三|Wensan|路", "莫干山|Moganshan|路", "江南|Jiangnan|大道", "解放|Jiefang|东路", "天目山|Tianmushan|路",
        "古墩|Gudun|路", "文一|Wenyi|西路", "滨盛|Binsheng|路", "市心|Shixin|中路", "东新|Dongxin|路"],
       "文新街道 翠苑街道 西溪街道 长河街道 五常街道 北干街道 米市巷街道",
       "湖滨银泰 西溪印象城 滨江龙湖天街 武林广场 来福士 城西银泰"),
    _c("cd", "四川省", "Sichuan", "成都市", "Chengdu", False, 30.66, 104.07, 610000, "028",
       ["武侯区|Wuhou|510107", "锦江区|Jinjiang|510104", "青羊区|Qingyang|510105", "金牛区|Jinniu|510106",
        "成华区|Chenghua|510108"],
       ["人民|Renmin|南路", "蜀汉|Shuhan|路", "天府|Tianfu|大道北段", "双林|Shuanglin|路", "玉林|Yulin|北路",
        "一环|Yihuan|路西一段", "建设|Jianshe|北路", "光华|Guanghua|大道", "沙湾|Shawan|路", "红星|Hongxing|路"],
       "玉林街道 双桥子街道 草堂街道 驷马桥街道 桂溪街道 府青路街道",
       "春熙路 太古里 环球中心 万象城 宽窄巷子 建设路"),
    _c("wh", "湖北省", "Hubei", "武汉市", "Wuhan", False, 30.58, 114.30, 430000, "027",
       ["武昌区|Wuchang|420106", "江汉区|Jianghan|420103", "江岸区|Jiang'an|420102", "洪山区|Hongshan|420111",
        "汉阳区|Hanyang|420105"],
       ["中北|Zhongbei|路", "解放|Jiefang|大道", "珞喻|Luoyu|路", "徐东|Xudong|大街", "建设|Jianshe|大道",
        "和平|Heping|大道", "鹦鹉|Yingwu|大道", "民族|Minzu|大道", "青年|Qingnian|路"],
       "水果湖街道 民族街道 徐家棚街道 关山街道 唐家墩街道",
       "江汉路 光谷 楚河汉街 武商广场 徐东"),
    _c("nj", "江苏省", "Jiangsu", "南京市", "Nanjing", False, 32.06, 118.79, 210000, "025",
       ["鼓楼区|Gulou|320106", "玄武区|Xuanwu|320102", "秦淮区|Qinhuai|320104", "建邺区|Jianye|320105",
        "江宁区|Jiangning|320115", "栖霞区|Qixia|320113"],
       ["中山|Zhongshan|北路", "汉中|Hanzhong|路", "江东|Jiangdong|中路", "龙蟠|Longpan|中路", "中央|Zhongyang|路",
        "应天|Yingtian|大街", "草场门|Caochangmen|大街", "双龙|Shuanglong|大道", "仙林|Xianlin|大道"],
       "湖南路街道 宁海路街道 兴隆街道 秣陵街道 仙林街道",
       "新街口 河西万达 德基广场 夫子庙 百家湖"),
    _c("xa", "陕西省", "Shaanxi", "西安市", "Xi'an", False, 34.27, 108.94, 710000, "029",
       ["雁塔区|Yanta|610113", "碑林区|Beilin|610103", "新城区|Xincheng|610102", "未央区|Weiyang|610112",
        "莲湖区|Lianhu|610104"],
       ["长安|Chang'an|北路", "科技|Keji|路", "太白|Taibai|南路", "朱雀|Zhuque|大街", "凤城|Fengcheng|八路",
        "含光|Hanguang|路", "劳动|Laodong|南路", "未央|Weiyang|路", "东关|Dongguan|正街"],
       "小寨路街道 长延堡街道 张家堡街道 大雁塔街道 太乙路街道",
       "钟楼 小寨 大唐不夜城 曲江 高新"),
    _c("cq", "重庆市", "Chongqing", "重庆市", "Chongqing", True, 29.56, 106.55, 400000, "023",
       ["渝中区|Yuzhong|500103", "江北区|Jiangbei|500105", "沙坪坝区|Shapingba|500106", "九龙坡区|Jiulongpo|500107",
        "渝北区|Yubei|500112", "南岸区|Nan'an|500108"],
       ["民族|Minzu|路", "渝州|Yuzhou|路", "金开|Jinkai|大道", "建新|Jianxin|北路", "小龙坎|Xiaolongkan|正街",
        "杨家坪|Yangjiaping|正街", "南坪|Nanping|东路", "中山|Zhongshan|三路", "红锦|Hongjin|大道"],
       "解放碑街道 观音桥街道 小龙坎街道 杨家坪街道 南坪街道 龙塔街道",
       "解放碑 观音桥 三峡广场 杨家坪 南坪 洪崖洞"),
    _c("tj", "天津市", "Tianjin", "天津市", "Tianjin", True, 39.13, 117.20, 300000, "022",
       ["和平区|Heping|120101", "河西区|Hexi|120103", "南开区|Nankai|120104", "河北区|Hebei|120105",
        "西青区|Xiqing|120111"],
       ["南京|Nanjing|路", "卫津|Weijin|路", "黄河|Huanghe|道", "友谊|Youyi|路", "复康|Fukang|路", "中山|Zhongshan|路"],
       "小白楼街道 友谊路街道 王顶堤街道 李七庄街道",
       "滨江道 大悦城 鼓楼 小白楼"),
    _c("su", "江苏省", "Jiangsu", "苏州市", "Suzhou", False, 31.30, 120.62, 215000, "0512",
       ["姑苏区|Gusu|320508", "吴中区|Wuzhong|320506", "相城区|Xiangcheng|320507", "虎丘区|Huqiu|320505"],
       ["干将|Ganjiang|东路", "星湖|Xinghu|街", "人民|Renmin|路", "东环|Donghuan|路", "长江|Changjiang|路", "宝带|Baodai|西路"],
       "双塔街道 长桥街道 元和街道 狮山街道",
       "观前街 圆融时代广场 石路 狮山"),
    _c("zz", "河南省", "Henan", "郑州市", "Zhengzhou", False, 34.75, 113.63, 450000, "0371",
       ["金水区|Jinshui|410105", "二七区|Erqi|410103", "中原区|Zhongyuan|410102", "管城回族区|Guancheng|410104"],
       ["金水|Jinshui|路", "农业|Nongye|路", "花园|Huayuan|路", "大学|Daxue|路", "建设|Jianshe|西路", "紫荆山|Zijingshan|路"],
       "丰产路街道 文化路街道 建中街街道 淮河路街道",
       "二七广场 花园路 正弘城 大卫城"),
    _c("cs", "湖南省", "Hunan", "长沙市", "Changsha", False, 28.23, 112.94, 410000, "0731",
       ["岳麓区|Yuelu|430104", "芙蓉区|Furong|430102", "天心区|Tianxin|430103", "开福区|Kaifu|430105",
        "雨花区|Yuhua|430111"],
       ["五一|Wuyi|大道", "芙蓉|Furong|中路", "麓山|Lushan|南路", "韶山|Shaoshan|北路", "劳动|Laodong|西路", "湘江|Xiangjiang|中路"],
       "岳麓街道 定王台街道 东塘街道 望月湖街道",
       "五一广场 黄兴路步行街 梅溪湖 IFS"),
    _c("jn", "山东省", "Shandong", "济南市", "Jinan", False, 36.65, 117.12, 250000, "0531",
       ["历下区|Lixia|370102", "市中区|Shizhong|370103", "槐荫区|Huaiyin|370104", "天桥区|Tianqiao|370105"],
       ["经十|Jingshi|路", "泉城|Quancheng|路", "解放|Jiefang|路", "和平|Heping|路", "山大|Shanda|路"],
       "泉城路街道 甸柳街道 六里山街道 段店北路街道",
       "泉城广场 恒隆广场 万达广场"),
    _c("qd", "山东省", "Shandong", "青岛市", "Qingdao", False, 36.07, 120.38, 266000, "0532",
       ["市南区|Shinan|370202", "市北区|Shibei|370203", "崂山区|Laoshan|370212", "黄岛区|Huangdao|370211"],
       ["香港|Xianggang|中路", "辽阳|Liaoyang|西路", "延吉|Yanji|路", "银川|Yinchuan|东路", "长江|Changjiang|中路"],
       "八大关街道 台东街道 中韩街道 珠海街道",
       "台东 万象城 五四广场"),
    _c("sy", "辽宁省", "Liaoning", "沈阳市", "Shenyang", False, 41.80, 123.43, 110000, "024",
       ["和平区|Heping|210102", "沈河区|Shenhe|210103", "皇姑区|Huanggu|210105", "浑南区|Hunnan|210112"],
       ["青年|Qingnian|大街", "北京|Beijing|街", "三好|Sanhao|街", "黄河|Huanghe|南大街", "长白|Changbai|南路"],
       "南湖街道 五里河街道 北塔街道 长白街道",
       "中街 太原街 万象城"),
    _c("km", "云南省", "Yunnan", "昆明市", "Kunming", False, 25.04, 102.71, 650000, "0871",
       ["五华区|Wuhua|530102", "盘龙区|Panlong|530103", "官渡区|Guandu|530111", "西山区|Xishan|530112"],
       ["北京|Beijing|路", "人民|Renmin|中路", "东风|Dongfeng|西路", "滇池|Dianchi|路", "北辰|Beichen|大道"],
       "华山街道 拓东街道 关上街道 前卫街道",
       "南屏街 顺城 同德广场"),
    _c("xm", "福建省", "Fujian", "厦门市", "Xiamen", False, 24.48, 118.09, 361000, "0592",
       ["思明区|Siming|350203", "湖里区|Huli|350206", "集美区|Jimei|350211", "海沧区|Haicang|350205"],
       ["湖滨|Hubin|南路", "嘉禾|Jiahe|路", "莲前|Lianqian|西路", "仙岳|Xianyue|路", "禾祥|Hexiang|西路"],
       "滨海街道 莲前街道 江头街道 集美街道",
       "中山路 SM城市广场 万象城"),
    _c("hf", "安徽省", "Anhui", "合肥市", "Hefei", False, 31.82, 117.23, 230000, "0551",
       ["蜀山区|Shushan|340104", "庐阳区|Luyang|340103", "包河区|Baohe|340111", "瑶海区|Yaohai|340102"],
       ["长江|Changjiang|中路", "黄山|Huangshan|路", "望江|Wangjiang|西路", "芜湖|Wuhu|路", "繁华|Fanhua|大道"],
       "稻香村街道 三里庵街道 滨湖世纪社区 七里站街道",
       "淮河路步行街 万象城 天鹅湖万达"),
    _c("dg", "广东省", "Guangdong", "东莞市", "Dongguan", False, 23.02, 113.75, 523000, "0769",
       ["南城街道|Nancheng|441900", "东城街道|Dongcheng|441900", "长安镇|Chang'an|441900", "虎门镇|Humen|441900"],
       ["鸿福|Hongfu|路", "东纵|Dongzong|大道", "莞太|Guantai|路", "长青|Changqing|路", "虎门|Humen|大道"],
       "", "鸿福路 国贸中心 虎门万达"),
    _c("hb", "黑龙江省", "Heilongjiang", "哈尔滨市", "Harbin", False, 45.80, 126.53, 150000, "0451",
       ["南岗区|Nangang|230103", "道里区|Daoli|230102", "香坊区|Xiangfang|230110"],
       ["中山|Zhongshan|路", "西大直|Xidazhi|街", "红军|Hongjun|街", "友谊|Youyi|路"],
       "花园街道 新阳路街道 通达街道", "中央大街 秋林 哈西万达"),
    _c("fz", "福建省", "Fujian", "福州市", "Fuzhou", False, 26.07, 119.30, 350000, "0591",
       ["鼓楼区|Gulou|350102", "台江区|Taijiang|350103", "仓山区|Cangshan|350104"],
       ["五四|Wusi|路", "八一七|Bayiqi|北路", "工业|Gongye|路", "杨桥|Yangqiao|东路"],
       "东街街道 鼓东街道 上渡街道", "东街口 三坊七巷 万象城"),
    _c("nn", "广西壮族自治区", "Guangxi", "南宁市", "Nanning", False, 22.82, 108.37, 530000, "0771",
       ["青秀区|Qingxiu|450103", "兴宁区|Xingning|450102", "西乡塘区|Xixiangtang|450107"],
       ["民族|Minzu|大道", "朝阳|Chaoyang|路", "大学|Daxue|东路", "东葛|Dongge|路"],
       "新竹街道 朝阳街道 北湖街道", "朝阳广场 万象城 航洋国际"),
    _c("sjz", "河北省", "Hebei", "石家庄市", "Shijiazhuang", False, 38.04, 114.51, 50000, "0311",
       ["长安区|Chang'an|130102", "桥西区|Qiaoxi|130104", "裕华区|Yuhua|130108"],
       ["中山|Zhongshan|东路", "建设|Jianshe|大街", "槐安|Huai'an|东路", "裕华|Yuhua|西路"],
       "青园街道 友谊街道 裕兴街道", "北国商城 万象城 勒泰中心"),
]

RURAL = [
    # prov, prov_py, city, city_py, county, county_py, code, towns(cn|py), lat, lng, zip
    ("河北省", "Hebei", "保定市", "Baoding", "涞水县", "Laishui", "130623", ["永阳镇|Yongyang", "石亭镇|Shiting", "义安镇|Yi'an"], 39.39, 115.71, "074100"),
    ("四川省", "Sichuan", "南充市", "Nanchong", "仪陇县", "Yilong", "511324", ["金城镇|Jincheng", "新政镇|Xinzheng", "马鞍镇|Ma'an"], 31.27, 106.30, "637600"),
    ("河南省", "Henan", "周口市", "Zhoukou", "郸城县", "Dancheng", "411625", ["宜路镇|Yilu", "汲冢镇|Jizhong", "吴台镇|Wutai"], 33.64, 115.18, "477150"),
    ("山东省", "Shandong", "菏泽市", "Heze", "曹县", "Caoxian", "371721", ["庄寨镇|Zhuangzhai", "普连集镇|Pulianji", "韩集镇|Hanji"], 34.83, 115.54, "274400"),
    ("安徽省", "Anhui", "阜阳市", "Fuyang", "临泉县", "Linquan", "341221", ["杨桥镇|Yangqiao", "鲖城镇|Tongcheng", "长官镇|Zhangguan"], 33.06, 115.26, "236400"),
    ("湖南省", "Hunan", "邵阳市", "Shaoyang", "隆回县", "Longhui", "430524", ["桃洪镇|Taohong", "六都寨镇|Liuduzhai", "荷田乡|Hetian"], 27.11, 111.03, "422200"),
    ("江西省", "Jiangxi", "赣州市", "Ganzhou", "于都县", "Yudu", "360731", ["贡江镇|Gongjiang", "银坑镇|Yinkeng", "葛坳乡|Ge'ao"], 25.95, 115.42, "342300"),
    ("广西壮族自治区", "Guangxi", "玉林市", "Yulin", "博白县", "Bobai", "450923", ["博白镇|Bobai", "东平镇|Dongping", "沙河镇|Shahe"], 22.27, 109.98, "537600"),
    ("贵州省", "Guizhou", "毕节市", "Bijie", "威宁彝族回族苗族自治县", "Weining", "520526", ["草海镇|Caohai", "迤那镇|Yina", "哲觉镇|Zhejue"], 26.86, 104.28, "553100"),
    ("甘肃省", "Gansu", "天水市", "Tianshui", "秦安县", "Qin'an", "620522", ["兴国镇|Xingguo", "莲花镇|Lianhua", "郭嘉镇|Guojia"], 34.86, 105.67, "741600"),
    ("浙江省", "Zhejiang", "金华市", "Jinhua", "浦江县", "Pujiang", "330726", ["黄宅镇|Huangzhai", "岩头镇|Yantou", "郑宅镇|Zhengzhai"], 29.45, 119.89, "322200"),
    ("湖北省", "Hubei", "黄冈市", "Huanggang", "蕲春县", "Qichun", "421126", ["漕河镇|Caohe", "株林镇|Zhulin", "檀林镇|Tanlin"], 30.23, 115.44, "435300"),
    ("云南省", "Yunnan", "曲靖市", "Qujing", "宣威市", "Xuanwei", "530381", ["宛水街道|Wanshui", "板桥街道|Banqiao", "田坝镇|Tianba"], 26.22, 104.10, "655400"),
]
VILLAGES = [("李家庄村", "Lijiazhuang"), ("王庄村", "Wangzhuang"), ("大柳树村", "Daliushu"), ("前进村", "Qianjin"),
            ("新华村", "Xinhua"), ("红星村", "Hongxing"), ("石桥村", "Shiqiao"), ("张湾村", "Zhangwan"),
            ("东岗村", "Donggang"), ("下河村", "Xiahe"), ("杨树沟村", "Yangshugou"), ("高家坪村", "Gaojiaping"),
            ("马场村", "Machang"), ("白沙村", "Baisha"), ("枣林村", "Zaolin"), ("后屯村", "Houtun"),
            ("三合村", "Sanhe"), ("龙井村", "Longjing"), ("凤凰村", "Fenghuang"), ("松树湾村", "Songshuwan"),
            ("北洛平村", "Beiluoping"), ("小刘庄村", "Xiaoliuzhuang"), ("黄土坡村", "Huangtupo")]
CN_NUM = "一二三四五六七八九十"

CPLX_PRE = [("阳光", "Yangguang"), ("翠湖", "Cuihu"), ("金色", "Jinse"), ("幸福", "Xingfu"), ("锦绣", "Jinxiu"),
            ("碧水", "Bishui"), ("明珠", "Mingzhu"), ("东方", "Dongfang"), ("华润", "Huarun"), ("万科", "Wanke"),
            ("保利", "Baoli"), ("龙湖", "Longhu"), ("绿地", "Lvdi"), ("世纪", "Shiji"), ("和平", "Heping"),
            ("丽都", "Lidu"), ("紫荆", "Zijing"), ("海棠", "Haitang"), ("枫林", "Fenglin"), ("滨江", "Binjiang"),
            ("金地", "Jindi"), ("融创", "Rongchuang"), ("恒大", "Hengda"), ("中海", "Zhonghai"), ("招商", "Zhaoshang"),
            ("书香", "Shuxiang"), ("青年", "Qingnian"), ("康桥", "Kangqiao"), ("梧桐", "Wutong"), ("香樟", "Xiangzhang"),
            ("银杏", "Yinxing"), ("怡景", "Yijing"), ("雅居", "Yaju"), ("南湖", "Nanhu"), ("北辰", "Beichen"),
            ("星河", "Xinghe"), ("文华", "Wenhua"), ("嘉禾", "Jiahe"), ("御景", "Yujing"), ("翡翠", "Feicui"),
            ("春江", "Chunjiang"), ("锦城", "Jincheng"), ("东湖", "Donghu"), ("西溪", "Xixi"), ("天通", "Tiantong"),
            ("芳草", "Fangcao"), ("百合", "Baihe"), ("建工", "Jiangong"), ("电力", "Dianli"), ("教师", "Jiaoshi")]
CPLX_SUF = [("小区", "Xiaoqu", "Community"), ("花园", "Huayuan", "Garden"), ("苑", "Yuan", "Court"),
            ("公寓", "Gongyu", "Apartments"), ("家园", "Jiayuan", "Homeland"), ("新村", "Xincun", "New Village"),
            ("嘉园", "Jiayuan", "Garden"), ("名苑", "Mingyuan", "Court"), ("华府", "Huafu", "Mansion"),
            ("城", "Cheng", "City"), ("里", "Li", "Li"), ("雅苑", "Yayuan", "Court"), ("山庄", "Shanzhuang", "Villa"),
            ("国际", "Guoji", "International"), ("佳苑", "Jiayuan", "Court"), ("宿舍", "Sushe", "Dormitory")]
CPLX_ZONE = [("东区", "East Zone"), ("西区", "West Zone"), ("南区", "South Zone"), ("北区", "North Zone"),
             ("一区", "Zone 1"), ("二区", "Zone 2"), ("三区", "Zone 3"), ("二期", "Phase 2"), ("三期", "Phase 3")]
BJ_CPLX = [("望京西园三区", "Wangjing Xiyuan Zone 3"), ("天通苑北二区", "Tiantongyuan North Zone 2"),
           ("和平里七区", "Hepingli Zone 7"), ("团结湖北里", "Tuanjiehu Beili"), ("方庄芳古园一区", "Fangzhuang Fanggu Yuan Zone 1"),
           ("回龙观龙泽苑", "Huilongguan Longze Yuan"), ("双井富力城", "Shuangjing R&F City")]
SH_CPLX = [("曹杨新村", "Caoyang Xincun"), ("康桥半岛", "Kangqiao Peninsula"), ("古美三村", "Gumei Sancun"),
           ("锦绣江南", "Jinxiu Jiangnan"), ("仁恒河滨花园", "Yanlord Riverside Garden")]

HK_ADDR = [
    ("香港新界沙田第一城{b}座{f}樓{x}室", "Flat {x}, {f}/F, Block {b}, City One Shatin, New Territories, Hong Kong"),
    ("九龍紅磡黃埔花園{p}期{b}座{f}樓{x}室", "Flat {x}, {f}/F, Block {b}, Phase {p}, Whampoa Garden, Hung Hom, Kowloon"),
    ("香港鰂魚涌太古城海景花園{b}座{f}樓{x}室", "Flat {x}, {f}/F, Block {b}, Sea View Garden, Taikoo Shing, Quarry Bay, Hong Kong"),
    ("九龍觀塘麗港城{b}期{f}樓{x}室", "Flat {x}, {f}/F, Phase {b}, Laguna City, Kwun Tong, Kowloon"),
    ("新界天水圍嘉湖山莊景湖居{b}座{f}樓{x}室", "Flat {x}, {f}/F, Block {b}, Kingswood Villas, Tin Shui Wai, N.T."),
    ("香港柴灣杏花邨{b}座{f}樓{x}室", "Flat {x}, {f}/F, Block {b}, Heng Fa Chuen, Chai Wan, Hong Kong"),
    ("新界沙田禾輋邨豐順樓{f}{n}室", "Room {f}{n}, Fung Shun House, Wo Che Estate, Sha Tin, N.T."),
]
TW_ADDR = [
    ("台北市大安區復興南路一段{n}號{f}樓之{k}", "{f}F.-{k}, No. {n}, Sec. 1, Fuxing S. Rd., Da'an Dist., Taipei City"),
    ("新北市板橋區文化路二段{n}巷{k}弄{m}號{f}樓", "{f}F., No. {m}, Aly. {k}, Ln. {n}, Sec. 2, Wenhua Rd., Banqiao Dist., New Taipei City"),
    ("臺中市西屯區臺灣大道三段{n}號{f}樓", "{f}F., No. {n}, Sec. 3, Taiwan Blvd., Xitun Dist., Taichung City"),
    ("高雄市苓雅區四維三路{n}號{f}樓之{k}", "{f}F.-{k}, No. {n}, Siwei 3rd Rd., Lingya Dist., Kaohsiung City"),
    ("台南市東區林森路一段{n}號{f}樓", "{f}F., No. {n}, Sec. 1, Linsen Rd., East Dist., Tainan City"),
]

# --------------------------------------------------------------------------
# Vocabulary: non-personal things (decoys)
# --------------------------------------------------------------------------

SCENIC = ["西湖风景区", "故宫博物院", "外滩观光隧道", "宽窄巷子", "黄鹤楼公园", "大雁塔北广场", "鼓浪屿", "橘子洲景区",
          "夫子庙步行街", "洪崖洞", "颐和园", "天坛公园东门", "世界之窗", "中山陵景区", "趵突泉公园", "八大关风景区",
          "滇池海埂公园", "西溪国家湿地公园", "武汉东湖绿道", "上海迪士尼度假区", "长隆野生动物世界", "九寨沟景区"]
STATIONS = ["北京首都国际机场T3", "上海虹桥站", "广州南站", "深圳北站", "杭州东站", "成都双流国际机场T2", "武汉站",
            "南京南站", "西安咸阳国际机场T3", "重庆江北国际机场T3", "北京南站", "上海浦东国际机场T2", "深圳宝安国际机场T3",
            "郑州东站", "长沙南站", "北京大兴国际机场", "天津西站", "苏州站北广场", "昆明长水国际机场", "厦门高崎国际机场T4",
            "地铁10号线国贸站", "地铁2号线人民广场站", "地铁1号线天府广场站C口", "合肥南站", "青岛北站"]
LANDMARKS = ["望京SOHO", "陆家嘴金融中心", "中关村软件园", "深圳湾科技生态园", "北京协和医院", "四川大学华西医院",
             "复旦大学邯郸校区", "浙江大学紫金港校区", "武汉大学信息学部", "国家会展中心(上海)", "广州塔", "春熙路步行街",
             "北京大学第三医院", "上海市第六人民医院", "郑州大学第一附属医院"]
SHOP_BRANDS = ["海底捞火锅", "星巴克", "喜茶", "瑞幸咖啡", "肯德基", "麦当劳", "西贝莜面村", "必胜客", "老乡鸡",
               "蜜雪冰城", "永和大王", "沙县小吃", "奈雪的茶", "太二酸菜鱼", "外婆家", "呷哺呷哺", "盒马鲜生",
               "美宜佳", "全家FamilyMart", "罗森", "7-Eleven", "华莱士", "库迪咖啡", "费大厨辣椒炒肉", "绝味鸭脖",
               "正新鸡排", "塔斯汀", "杨国福麻辣烫", "茶百道", "古茗", "周黑鸭", "木屋烧烤", "袁记云饺", "小菜园"]
BANKS = ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "中国邮政储蓄银行",
         "兴业银行", "浦发银行", "中信银行", "平安银行", "民生银行", "光大银行", "华夏银行", "北京银行", "宁波银行"]
WAREHOUSES = ["嘉兴中转场", "上海浦东仓", "华东分拨中心(嘉兴)", "广州白云转运中心", "菜鸟无锡1号仓", "京东亚洲一号武汉物流园",
              "中通金华分拨中心", "顺丰深圳宝安集散中心", "圆通杭州转运中心", "韵达义乌分拨中心", "成都双流转运中心",
              "北京大兴仓", "天猫超市昆山仓", "苏宁南京雨花仓", "德邦廊坊枢纽中心", "极兔郑州转运中心", "申通临沂转运中心",
              "京东天津武清仓", "拼多多华南仓(东莞)", "抖音电商华北仓(廊坊)", "中国邮政上海浦东航空邮件处理中心"]
HOTEL_BRANDS = ["如家酒店", "汉庭酒店", "全季酒店", "亚朵酒店", "7天连锁酒店", "锦江之星", "桔子酒店", "维也纳酒店",
                "速8酒店", "城市便捷酒店", "格林豪泰酒店", "丽枫酒店", "希尔顿欢朋酒店", "智选假日酒店", "麗枫酒店"]
LUX_HOTELS = ["北京王府井希尔顿酒店", "上海外滩华尔道夫酒店", "深圳福田香格里拉大酒店", "杭州西子湖四季酒店", "成都瑞吉酒店",
              "广州白天鹅宾馆", "三亚亚特兰蒂斯酒店", "西安索菲特人民大厦", "南京金陵饭店", "重庆来福士洲际酒店"]
REAL_COMPANIES = ["北京三快在线科技有限公司", "上海拉扎斯信息科技有限公司", "浙江天猫网络有限公司", "北京京东世纪贸易有限公司",
                  "杭州有赞科技有限公司", "上海寻梦信息技术有限公司", "北京小桔科技有限公司", "携程计算机技术(上海)有限公司",
                  "中国平安财产保险股份有限公司", "众安在线财产保险股份有限公司", "顺丰速运有限公司", "中通快递股份有限公司"]
CO_WORDS = ["云栖", "腾跃", "锦程", "华信", "恒通", "盛达", "博远", "瑞丰", "鼎盛", "新航", "启明", "金桥", "天宇",
            "众联", "汇通", "优选", "速达", "立方", "蓝海", "橙果", "山海", "星辰"]
CO_INDUSTRY = ["电子商务", "供应链管理", "物流", "网络科技", "信息技术", "餐饮管理", "商贸", "人力资源服务", "保险代理",
               "融资租赁", "电子科技", "文化传媒", "劳务派遣"]
MALLS = ["万达广场", "吾悦广场", "龙湖天街", "大悦城", "万象城", "银泰城", "印象城", "凯德广场", "来福士广场",
         "苏宁广场", "世纪金源购物中心", "宝龙广场", "方恒购物中心", "合生汇"]
PRODUCTS = ["Apple iPhone 15 Pro 256GB 原色钛金属", "小米14 Ultra 16GB+512GB 黑色", "华为Mate 60 Pro 12GB+512GB 雅川青",
            "三只松鼠每日坚果750g/30袋", "伊利安慕希希腊风味酸奶205g*12盒", "海飞丝去屑洗发水400ml", "李宁飞电4 Elite 跑鞋 42码",
            "美的电饭煲MB-FB40S701 4L", "戴森V12 Detect Slim 无绳吸尘器", "蒙牛特仑苏纯牛奶250ml*16盒", "维达超韧抽纸3层130抽*24包",
            "优衣库男装 AIRism 圆领T恤 L", "耐克 Air Force 1 '07 白色 40.5", "欧莱雅男士水能保湿乳液110ml", "农夫山泉饮用天然水550ml*24瓶",
            "百草味猪肉脯200g", "安踏KT9篮球鞋 43码", "格力KFR-35GW 大1.5匹空调", "索尼WH-1000XM5 头戴式降噪耳机",
            "波司登羽绒服女中长款 165/88A", "良品铺子芒果干108g", "元气森林白桃味苏打气泡水480ml*15", "宫保鸡丁盖饭", "酸菜鱼(大份)",
            "招牌毛肚", "生椰拿铁(大杯/少冰)", "黄焖鸡米饭+卤蛋", "香辣鸡腿堡套餐", "多肉葡萄(少糖)", "Switch OLED 日版 白色"]
GOODS = PRODUCTS[:22] + PRODUCTS[-1:]
FOOD = PRODUCTS[22:-1]
PRICE_POINTS = ["9.90", "12.50", "18.00", "23.80", "29.90", "36.50", "45.60", "59.00", "68.00", "88.80", "99.00",
                "128.50", "139.14", "199.00", "258.00", "299.00", "399.00", "588.00", "1299.00", "2499.00", "6999.00"]
EXPRESS = [("SF", "顺丰速运"), ("ZTO", "中通快递"), ("YTO", "圆通速递"), ("YUNDA", "韵达快递"), ("STO", "申通快递"),
           ("JD", "京东物流"), ("EMS", "中国邮政EMS"), ("JTSD", "极兔速递")]

# card BINs (issuer, bin, length, type)
CARD_BINS = [("中国工商银行", "622202", 19), ("中国工商银行", "621226", 19), ("中国农业银行", "622848", 19),
             ("中国建设银行", "621700", 19), ("中国建设银行", "622700", 19), ("中国银行", "621661", 19),
             ("中国银行", "601382", 19), ("招商银行", "621483", 16), ("招商银行", "622588", 16),
             ("交通银行", "622262", 19), ("中国邮政储蓄银行", "621799", 19), ("中国建设银行", "436742", 16),
             ("兴业银行", "622909", 18), ("平安银行", "623058", 19), ("中信银行", "622690", 16)]
PHONE_PREFIX = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150", "151",
                "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180",
                "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "193", "195", "196", "198", "199"]
EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com", "outlook.com", "hotmail.com",
                 "139.com", "aliyun.com", "yeah.net", "sohu.com", "icloud.com", "vip.qq.com"]
CN_V4_FIRST = [36, 39, 42, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,
               123, 124, 125, 171, 175, 180, 182, 183, 202, 210, 211, 218, 219, 220, 221, 222, 223]
V6_PREFIX = ["240e:3a1", "240e:47c", "2408:8207", "2408:8456", "2409:8a28", "2409:8c54", "2400:dd01"]
IMEI_TAC = ["861234", "862187", "863345", "864502", "866001", "867382", "868034", "869412", "353456", "354897",
            "356938", "357203", "358240", "359872"]
PHONE_MODELS = [("Xiaomi", "23127PN0CC", "ANDROID"), ("HUAWEI", "ALN-AL00", "ANDROID"), ("OPPO", "PHZ110", "ANDROID"),
                ("vivo", "V2309A", "ANDROID"), ("Apple", "iPhone15,3", "IOS"), ("Apple", "iPhone14,5", "IOS"),
                ("HONOR", "BVL-AN00", "ANDROID"), ("samsung", "SM-S9180", "ANDROID")]


# --------------------------------------------------------------------------
# Check digits
# --------------------------------------------------------------------------

def luhn_digit(payload):
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(num):
    return luhn_digit(num[:-1]) == num[-1]


ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_check(s17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(s17, ID_W)) % 11]


def hkid(rng):
    letter = rng.choice("ACDEGHKMPRVYZ")
    digits = "".join(str(rng.randint(0, 9)) for _ in range(6))
    total = 36 * 9 + (ord(letter) - 55) * 8 + sum(int(d) * w for d, w in zip(digits, range(7, 1, -1)))
    chk = (11 - total % 11) % 11
    return "%s%s(%s)" % (letter, digits, "A" if chk == 10 else str(chk))


TW_LETTER = {"A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "J": 18, "K": 19, "L": 20,
             "M": 21, "N": 22, "P": 23, "Q": 24, "R": 25, "S": 26, "T": 27, "U": 28, "V": 29, "X": 30, "Y": 31, "W": 32,
             "Z": 33, "I": 34, "O": 35}


def twid(rng, gender):
    letter = rng.choice("ABEFHKLMNPQST")
    body = ("1" if gender == "M" else "2") + "".join(str(rng.randint(0, 9)) for _ in range(7))
    code = TW_LETTER[letter]
    nums = [code // 10, code % 10] + [int(c) for c in body]
    w = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    s = sum(a * b for a, b in zip(nums, w))
    return letter + body + str((10 - s % 10) % 10)


# --------------------------------------------------------------------------
# Person model
# --------------------------------------------------------------------------

def wchoice(rng, pairs):
    tot = sum(w for _, w in pairs)
    r = rng.uniform(0, tot)
    acc = 0
    for item, w in pairs:
        acc += w
        if r <= acc:
            return item
    return pairs[-1][0]


SUR_W = [((s, p), w) for s, p, w in SURNAMES]


class Person:
    pass


def make_cn_name(rng, gender=None):
    gender = gender or rng.choice("MF")
    sur, sur_py = wchoice(rng, SUR_W)
    pool = GIVEN_M if gender == "M" else GIVEN_F
    r = rng.random()
    if r < 0.05:
        given = rng.choice(REPEAT_M if gender == "M" else REPEAT_F)
    elif r < 0.30 and len(sur) == 1:
        given = rng.choice(pool)
    else:
        a = rng.choice(pool)
        b = rng.choice(pool)
        while b == a:
            b = rng.choice(pool)
        given = a + b
    given_py = "".join(PINYIN[c] for c in given)
    return sur, sur_py, given, given_py.capitalize(), gender


def make_person(rng, kind=None, home=None):
    p = Person()
    p.kind = kind or ("hk" if rng.random() < 0.04 else ("tw" if rng.random() < 0.04 else "cn"))
    p.gender = rng.choice("MF")
    y = rng.randint(1958, 2004)
    p.birth = datetime.date(y, rng.randint(1, 12), rng.randint(1, 28))
    if p.kind == "cn":
        p.sur, p.sur_py, p.given, p.given_py, p.gender = make_cn_name(rng, p.gender)
        p.name = p.sur + p.given
    elif p.kind == "hk":
        (p.sur, p.sur_py), (p.given, p.given_py) = rng.choice(HK_SUR), rng.choice(HK_GIVEN)
        p.name = p.sur + p.given
    else:
        (p.sur, p.sur_py), (p.given, p.given_py) = rng.choice(TW_SUR), rng.choice(TW_GIVEN)
        p.name = p.sur + p.given
    p.rural = None
    p.city = None
    if p.kind == "cn":
        if home is not None:
            p.city = home
        elif rng.random() < 0.16:
            p.rural = rng.choice(RURAL)
        else:
            p.city = rng.choice(CITIES)
    p.phone = gen_mobile(rng) if p.kind == "cn" else (
        "9" + "".join(str(rng.randint(0, 9)) for _ in range(7)) if p.kind == "hk" else
        "09" + "".join(str(rng.randint(0, 9)) for _ in range(8)))
    p.id_number = gen_id(rng, p) if p.kind == "cn" else (hkid(rng) if p.kind == "hk" else twid(rng, p.gender))
    p.email = gen_email(rng, p)
    if p.city:
        p.lat, p.lng = p.city["lat"], p.city["lng"]
    elif p.rural:
        p.lat, p.lng = p.rural[8], p.rural[9]
    else:
        p.lat, p.lng = (22.35, 114.15) if p.kind == "hk" else (25.04, 121.53)
    return p


def romanize(rng, p, style=None):
    sur, giv = p.sur_py, p.given_py
    style = style if style is not None else rng.randint(0, 7)
    if p.kind == "hk":
        opts = ["%s %s" % (sur, giv), "%s %s" % (sur.upper(), giv.upper()), "%s %s" % (giv, sur),
                "%s, %s" % (sur.upper(), giv)]
        return opts[style % len(opts)]
    if p.kind == "tw":
        opts = ["%s %s" % (giv, sur), "%s, %s" % (sur.upper(), giv.upper()), "%s %s" % (sur, giv)]
        return opts[style % len(opts)]
    opts = ["%s %s" % (sur, giv), "%s %s" % (giv, sur), "%s %s" % (sur.upper(), giv.upper()),
            "%s %s" % (sur.upper(), giv), "%s, %s" % (sur, giv), "%s/%s" % (sur.upper(), giv.upper()),
            "%s %s" % (giv, sur.upper()), "%s %s" % (sur, giv)]
    return opts[style % len(opts)]


def gen_mobile(rng):
    return rng.choice(PHONE_PREFIX) + "".join(str(rng.randint(0, 9)) for _ in range(8))


def fmt_mobile(rng, m, kind="cn"):
    if kind == "hk":
        return rng.choice([m, "+852 %s %s" % (m[:4], m[4:]), "+852-%s" % m, "852%s" % m])
    if kind == "tw":
        return rng.choice([m, "%s-%s-%s" % (m[:4], m[4:7], m[7:]), "+886 %s %s %s" % (m[1:4], m[4:7], m[7:])])
    r = rng.random()
    if r < 0.55:
        return m
    return rng.choice(["%s %s %s" % (m[:3], m[3:7], m[7:]), "%s-%s-%s" % (m[:3], m[3:7], m[7:]), "+86" + m,
                       "+86 %s %s %s" % (m[:3], m[3:7], m[7:]), "86-" + m, "(+86)" + m, "+86-" + m, "0086" + m])


def gen_landline(rng, city):
    tel = city["tel"] if city else rng.choice(["010", "021", "0755"])
    n = str(rng.randint(2, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(7 if len(tel) == 3 else 6 + rng.randint(0, 1)))
    return rng.choice(["%s-%s" % (tel, n), "%s %s" % (tel, n), "(%s)%s" % (tel, n), "%s-%s-%s" % (tel, n[:4], n[4:])])


def gen_id(rng, p):
    if p.rural and rng.random() < 0.8:
        area = p.rural[6]
    elif p.city and rng.random() < 0.6:
        area = rng.choice(p.city["dists"])[2]
    else:
        c = rng.choice(CITIES)
        area = rng.choice(c["dists"])[2]
    seq = "%02d%d" % (rng.randint(0, 99), rng.choice([1, 3, 5, 7, 9] if p.gender == "M" else [0, 2, 4, 6, 8]))
    s17 = area + p.birth.strftime("%Y%m%d") + seq
    return s17 + id_check(s17)


def gen_email(rng, p):
    dom = rng.choice(EMAIL_DOMAINS)
    sur, giv = p.sur_py.lower().replace(" ", ""), p.given_py.lower().replace(" ", "").replace("-", "")
    r = rng.random()
    if dom in ("qq.com", "vip.qq.com") and r < 0.6:
        return "%d@%s" % (rng.randint(10000000, 3999999999), dom)
    local = rng.choice([sur + giv, giv + "." + sur, sur[0] + giv + str(rng.randint(1, 99)),
                        sur + giv + p.birth.strftime("%y"), giv + "_" + sur + str(rng.randint(80, 99)),
                        sur + "." + giv + p.birth.strftime("%m%d"), giv[:1] + sur + str(rng.randint(100, 999))])
    return local + "@" + dom


def gen_card(rng):
    bank, bin_, length = rng.choice(CARD_BINS)
    payload = bin_ + "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 1))
    num = payload + luhn_digit(payload)
    return bank, num


def fmt_card(rng, num):
    if rng.random() < 0.78:
        return num
    return " ".join(num[i:i + 4] for i in range(0, len(num), 4))


def gen_ipv4(rng):
    while True:
        a = rng.choice(CN_V4_FIRST)
        ip = "%d.%d.%d.%d" % (a, rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
        return ip


def gen_ip(rng):
    if rng.random() < 0.15:
        pre = rng.choice(V6_PREFIX)
        return "%s:%x:%x::%x" % (pre, rng.randint(0x100, 0xffff), rng.randint(0x10, 0xffff), rng.randint(1, 0xfff))
    return gen_ipv4(rng)


def gen_passport(rng, p):
    if p.kind == "hk":
        return rng.choice("HK") + "".join(str(rng.randint(0, 9)) for _ in range(8))
    r = rng.random()
    if r < 0.55:
        return "E" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    if r < 0.85:
        return "E" + rng.choice("ABCDEFGHJKLMNPQRS") + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return "G" + "".join(str(rng.randint(0, 9)) for _ in range(8))


def fmt_birth(rng, d, style=None):
    opts = [d.strftime("%Y-%m-%d"), "%d/%d/%d" % (d.year, d.month, d.day), d.strftime("%Y%m%d"),
            "%d年%d月%d日" % (d.year, d.month, d.day), d.strftime("%d/%m/%Y"), d.strftime("%Y.%m.%d"),
            d.strftime("%Y-%m-%dT00:00:00Z"), d.strftime("%Y/%m/%d")]
    return opts[style] if style is not None else rng.choice(opts)


def gen_imei(rng):
    payload = rng.choice(IMEI_TAC) + "".join(str(rng.randint(0, 9)) for _ in range(8))
    return payload + luhn_digit(payload)


def gen_uuid(rng, upper=True):
    h = "%032x" % rng.getrandbits(128)
    h = h[:12] + "4" + h[13:16] + "89ab"[rng.randint(0, 3)] + h[17:]
    u = "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])
    return u.upper() if upper else u


def gen_mac(rng):
    b = [rng.choice([0x3c, 0x70, 0x8c, 0xa4, 0xd4, 0xf0]), rng.randint(0, 255), rng.randint(0, 255),
         rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)]
    sep = rng.choice([":", "-", ":"])
    s = sep.join("%02x" % x for x in b)
    return s.upper() if rng.random() < 0.5 else s


def gen_device(rng, kind=None):
    kind = kind or rng.choice(["imei", "imei", "idfa", "oaid", "mac", "android_id", "imsi"])
    if kind == "imei":
        return kind, gen_imei(rng)
    if kind == "idfa":
        return kind, gen_uuid(rng, True)
    if kind == "oaid":
        return kind, gen_uuid(rng, False) if rng.random() < 0.6 else "%064x" % rng.getrandbits(256)
    if kind == "mac":
        return kind, gen_mac(rng)
    if kind == "android_id":
        return kind, "%016x" % rng.getrandbits(64)
    return kind, rng.choice(["46000", "46001", "46002", "46011", "46007"]) + "".join(str(rng.randint(0, 9)) for _ in range(10))


def gen_coord(rng, base, spread=0.06, digits=6):
    while True:
        v = round(base + rng.uniform(-spread, spread), digits)
        s = repr(v)
        if len(s.split(".")[1]) >= 4:
            return v, s


def png_bytes(rng, w, h):
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff)
    raw = b"".join(b"\x00" + bytes(rng.getrandbits(8) for _ in range(w * 3)) for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def jpeg_bytes(rng, n):
    head = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
            b"\xff\xdb\x00\x43\x00" + bytes(rng.randint(1, 60) for _ in range(64)) +
            b"\xff\xc0\x00\x11\x08\x00\xf0\x00\xb4\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
            b"\xff\xc4\x00\x1f\x00" + bytes(rng.randint(0, 12) for _ in range(28)) +
            b"\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00")
    body = bytes(x if x != 0xff else 0xfe for x in (rng.getrandbits(8) for _ in range(n)))
    return head + body + b"\xff\xd9"


def gen_face(rng):
    if rng.random() < 0.5:
        w = rng.randint(22, 24)
        data = png_bytes(rng, w, w)
    else:
        data = jpeg_bytes(rng, rng.randint(1420, 1700))
    return base64.b64encode(data).decode()


# --------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------

class Addr:
    """One address with Chinese and English renderings and split fields."""


def room_no(rng):
    fl = rng.choice([rng.randint(1, 6), rng.randint(1, 18), rng.randint(5, 33)])
    return "%d%02d" % (fl, rng.randint(1, 8))


def gen_unit(rng):
    b, u, room = rng.randint(1, 32), rng.randint(1, 6), room_no(rng)
    L, ph = rng.choice("ABCDE"), rng.randint(1, 4)
    pats = [
        ("%d栋%d单元%s室" % (b, u, room), "Room %s, Unit %d, Building %d" % (room, u, b)),
        ("%d号楼%d-%s" % (b, u, room), "Apt %d-%s, Bldg %d" % (u, room, b)),
        ("%s座%s" % (L, room), "Room %s, Tower %s" % (room, L)),
        ("%d幢%d单元%s" % (b, u, room), "Rm %s, Unit %d, Block %d" % (room, u, b)),
        ("%d号楼%d门%s" % (b, u, room), "Room %s, Entrance %d, Building %d" % (room, u, b)),
        ("%d栋%s座%s" % (b, L, room), "Flat %s, Tower %s, Building %d" % (room, L, b)),
        ("%d期%d栋%s房" % (ph, b, room), "Room %s, Building %d, Phase %d" % (room, b, ph)),
        ("%d-%d-%s" % (b, u, room), "%d-%d-%s" % (b, u, room)),
        ("%d号楼%s室" % (b, room), "Room %s, Building %d" % (room, b)),
        ("%d栋%s" % (b, room), "#%d-%s" % (b, room)),
        ("%d号楼%d单元%s" % (b, u, room), "Unit %d-%s, Building %d" % (u, room, b)),
    ]
    return rng.choice(pats)


def gen_complex(rng, city):
    if city["key"] == "bj" and rng.random() < 0.3:
        return rng.choice(BJ_CPLX)
    if city["key"] == "sh" and rng.random() < 0.3:
        return rng.choice(SH_CPLX)
    pre_cn, pre_py = rng.choice(CPLX_PRE)
    suf_cn, suf_py, suf_en = rng.choice(CPLX_SUF)
    cn, en = pre_cn + suf_cn, (pre_py + " " + (suf_en if rng.random() < 0.5 else suf_py))
    if rng.random() < 0.25:
        z_cn, z_en = rng.choice(CPLX_ZONE)
        cn, en = cn + z_cn, en + " " + z_en
    return cn, en


def street_cn_en(st, abbrev=False):
    base, py, suf = st
    en_suf = SUFFIX_EN.get(suf)
    if en_suf is None:
        en = py + " " + suf if not re.match(r"^[\u4e00-\u9fff]", suf) else py
        if suf.startswith("大道"):
            en = py + " Avenue" + (" West" if suf.endswith("西") else " Middle" if suf.endswith("中") else
                                   " South" if suf.endswith("南") else " North" if suf.endswith("北段") else "")
        elif suf.endswith("路"):
            en = py + " " + {"一路": "1st Road", "二横路": "2nd Cross Road", "八路": "8th Road"}.get(suf, "Road")
        elif suf == "道":
            en = py + " Road"
        elif suf == "北":
            en = py + " North"
        elif suf == "正街":
            en = py + " Main Street"
        else:
            en = py + " Road"
    else:
        en = py + " " + en_suf
    if abbrev:
        en = en.replace("Road", "Rd.").replace("Avenue", "Ave.").replace("Street", "St.")
    return base + suf, en


def gen_urban(rng, city):
    a = Addr()
    a.rural = False
    a.city = city
    a.prov, a.cityn = city["prov"], city["city"]
    dist = rng.choice(city["dists"])
    a.dist, a.dist_py, a.dist_code = dist
    a.town = rng.choice(city["towns"]) if city["towns"] else ""
    st = rng.choice(city["streets"])
    abbrev = rng.random() < 0.35
    st_cn, st_en = street_cn_en(st, abbrev)
    n = rng.choice([rng.randint(1, 99), rng.randint(1, 300), rng.randint(100, 1999)])
    if city["key"] == "bj" and rng.random() < 0.4:
        no_cn, no_en = "%d号院" % n, "Courtyard %d" % n
    elif city["key"] == "sh" and rng.random() < 0.45:
        m = rng.randint(1, 60)
        no_cn, no_en = "%d弄%d号" % (n, m), "No. %d, Lane %d" % (m, n)
    else:
        no_cn, no_en = "%d号" % n, "No. %d" % n
    cx_cn, cx_en = gen_complex(rng, city)
    un_cn, un_en = gen_unit(rng)
    while "期" in cx_cn and "期" in un_cn:
        un_cn, un_en = gen_unit(rng)
    style = rng.random()
    if style < 0.45:
        detail = st_cn + no_cn + cx_cn + un_cn
        en = "%s, %s, %s %s" % (un_en, cx_en, no_en, st_en)
    elif style < 0.70:
        detail = cx_cn + un_cn
        en = "%s, %s, %s" % (un_en, cx_en, st_en)
    elif style < 0.88:
        detail = st_cn + no_cn + un_cn
        en = "%s, %s %s" % (un_en, no_en, st_en)
    else:
        detail = st_cn + no_cn + cx_cn + " " + un_cn
        en = "%s, %s, %s %s" % (un_en, cx_en, no_en, st_en)
    a.detail = detail
    a.complex = cx_cn
    a.unit = un_cn
    dist_en = a.dist_py + (" Dist." if abbrev else " District") if not a.dist_py.endswith("Area") else a.dist_py
    city_en = city["city_py"]
    tail = "" if city["muni"] or rng.random() < 0.5 else ", " + city["prov_py"]
    zipc = "%06d" % (city["zip"] + rng.randint(0, 99) * (10 if city["zip"] % 1000 == 0 else 1))
    a.zip = zipc
    a.en = "%s, %s, %s%s%s%s" % (en, dist_en, city_en, tail, " " + zipc if rng.random() < 0.4 else "",
                                  rng.choice(["", "", ", China", ", P.R. China", ", CN"]))
    return a


def gen_rural(rng, rec):
    a = Addr()
    a.rural = True
    a.city = None
    prov, prov_py, cty, cty_py, county, county_py, code, towns, lat, lng, zipc = rec
    a.prov, a.cityn, a.dist, a.dist_py, a.dist_code, a.zip = prov, cty, county, county_py, code, zipc
    town_cn, town_py = rng.choice(towns).split("|")
    a.town = town_cn
    vil, vil_py = rng.choice(VILLAGES)
    k = rng.randint(1, 10)
    grp = rng.choice(["%d组" % k, "%s组" % CN_NUM[k - 1], "第%s村民小组" % CN_NUM[k - 1], "%d社" % k, "%s队" % CN_NUM[k - 1]])
    house = rng.choice(["", "", "%d号" % rng.randint(1, 120)])
    a.detail = town_cn + vil + grp + house
    a.complex = vil
    a.unit = grp + house
    t_en = town_py + (" Town" if town_cn.endswith("镇") else " Township" if town_cn.endswith("乡") else " Subdistrict")
    a.en = "%sGroup %d, %s Village, %s, %s County, %s, %s" % (
        ("No. %s, " % house[:-1]) if house else "", k, vil_py, t_en, county_py, cty_py, prov_py)
    return a


def bldg_part(a):
    """Building-level part of the unit (no room), e.g. 3栋 / 12号楼 / B座; whole unit if none."""
    m = re.match(r"^(\d+期)?\d+(栋|号楼|幢)(\d+单元|[A-E]座)?|^[A-E]座", a.unit)
    return m.group(0) if m else a.unit


def home_addr(rng, p):
    if p.rural:
        return gen_rural(rng, p.rural)
    if p.city:
        return gen_urban(rng, p.city)
    return None


def fmt_addr(rng, a, form):
    """form: full | noprov | detail | spaced | en | dup"""
    if form == "en":
        return a.en
    if form == "detail":
        return a.detail
    if a.rural:
        parts = [a.prov, a.cityn, a.dist, a.detail]
    elif a.city["muni"]:
        parts = [a.cityn, a.dist, a.detail]
        if form == "dup":
            parts = [a.prov[:-1], a.cityn, a.dist, a.detail]
    else:
        parts = [a.prov, a.cityn, a.dist, a.detail]
    if form == "noprov":
        parts = parts[1:] if len(parts) == 4 else parts
        if rng.random() < 0.35:
            parts = parts[1:]
    if form == "spaced":
        return " ".join(parts)
    if form == "town" and a.town:
        parts.insert(len(parts) - 1, a.town) if not a.rural else None
    return "".join(parts)


def hk_tw_addr(rng, p, english=None):
    f, n, k, m = rng.randint(2, 38), rng.randint(1, 400), rng.randint(1, 9), rng.randint(1, 30)
    b, x, ph = rng.randint(1, 20), rng.choice("ABCDEFGH"), rng.randint(1, 12)
    pats = HK_ADDR if p.kind == "hk" else TW_ADDR
    cn, en = rng.choice(pats)
    fill = dict(f=f, n="%02d" % rng.randint(1, 30) if "{n}室" in cn else n, k=k, m=m, b=b, x=x, p=ph)
    eng = english if english is not None else rng.random() < 0.4
    s = (en if eng else cn).format(**fill)
    if not eng and p.kind == "tw" and rng.random() < 0.3:
        s = rng.choice(["106", "220", "407", "802", "701"]) + s
    return s


def any_addr_value(rng, p, forms=None):
    """Return (value, Addr or None, form) for person p's home address."""
    if p.kind != "cn":
        return hk_tw_addr(rng, p), None, "hktw"
    a = home_addr(rng, p)
    form = rng.choice(forms or ["full", "full", "noprov", "detail", "spaced", "en", "dup", "full"])
    return fmt_addr(rng, a, form), a, form


# --------------------------------------------------------------------------
# Decoy generators
# --------------------------------------------------------------------------

def digits(rng, n):
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def hexs(rng, n, upper=False):
    s = "%0*x" % (n, rng.getrandbits(4 * n))
    return s.upper() if upper else s


def alnum(rng, n):
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(n))


def shop_name(rng, city=None):
    city = city or rng.choice(CITIES)
    brand, poi = rng.choice(SHOP_BRANDS), rng.choice(city["pois"])
    return rng.choice(["%s(%s店)" % (brand, poi), "%s（%s店）" % (brand, poi), "%s%s店" % (brand, poi)])


def bank_branch(rng, city=None):
    city = city or rng.choice(CITIES)
    bank = rng.choice(BANKS)
    area = rng.choice([d[0][:-1] if len(d[0]) > 2 else d[0] for d in city["dists"]] + [rng.choice(city["pois"])])
    short = city["city"][:-1]
    return rng.choice(["%s%s%s支行" % (bank, short, area), "%s%s分行%s支行" % (bank, short, area),
                       "%s%s分行营业部" % (bank, short)])


def hotel_name(rng, city=None):
    city = city or rng.choice(CITIES)
    if rng.random() < 0.25:
        return rng.choice(LUX_HOTELS)
    brand = rng.choice(HOTEL_BRANDS)
    where = rng.choice(city["pois"] + [re.sub(r"T\d$", "", s) for s in STATIONS if s.startswith(city["city"][:2])] + ["火车站", "会展中心"])
    short = city["city"][:-1]
    return "%s(%s%s店)" % (brand, short, where) if rng.random() < 0.6 and not where.startswith(short) else "%s(%s店)" % (brand, where)


def company_name(rng, city=None):
    if rng.random() < 0.3:
        return rng.choice(REAL_COMPANIES)
    city = city or rng.choice(CITIES)
    pre = city["city"][:-1] + ("市" if rng.random() < 0.3 else "")
    return "%s%s%s有限公司" % (pre, rng.choice(CO_WORDS), rng.choice(CO_INDUSTRY))


def merchant_address(rng, city=None):
    city = city or rng.choice(CITIES)
    d = rng.choice(city["dists"])[0]
    st_cn, _ = street_cn_en(rng.choice(city["streets"]))
    mall = rng.choice(MALLS)
    fl = rng.choice(["B1", "B2", "1", "2", "3", "4", "L1", "F2"])
    return rng.choice([
        "%s%s%s%d号%s%s层%s%03d号铺" % (city["city"], d, st_cn, rng.randint(1, 999), mall, fl, rng.choice(["", "L", "B"]), rng.randint(1, 180)),
        "%s%s%d号%s%s-%02d" % (d, st_cn, rng.randint(1, 999), mall, fl, rng.randint(1, 60)),
        "%s%s%d号(地铁%d号线%s站%s口)" % (d, st_cn, rng.randint(1, 999), rng.randint(1, 12), rng.choice(city["pois"])[:4], rng.choice("ABCD")),
        "%s%s%s%d号临街商铺" % (city["city"], d, st_cn, rng.randint(1, 999)),
    ])


def warehouse_addr(rng):
    return rng.choice(["浙江省嘉兴市秀洲区洪兴西路%d号" % rng.randint(100, 3999), "江苏省昆山市花桥镇绿地大道%d号菜鸟园区" % rng.randint(1, 300),
                       "广东省东莞市麻涌镇新沙港工业园%d号仓" % rng.randint(1, 40), "湖北省武汉市东西湖区走马岭革新大道%d号" % rng.randint(1, 999),
                       "河北省廊坊市广阳区九州镇京东物流园%d号库" % rng.randint(1, 20), "天津市武清区京津科技谷泉旺路%d号" % rng.randint(1, 99)])


def place_name(rng, city=None):
    r = rng.random()
    if r < 0.3:
        return rng.choice(SCENIC)
    if r < 0.65:
        return rng.choice(STATIONS)
    if r < 0.85:
        return rng.choice(LANDMARKS)
    city = city or rng.choice(CITIES)
    return rng.choice(city["dists"])[0] if rng.random() < 0.6 else city["city"]


def sku(rng):
    return rng.choice(["SKU-%05d-%s-%d" % (rng.randint(1, 99999), rng.choice(["BLK", "WHT", "RED", "GRY", "BLU"]), rng.randint(36, 46)),
                       "69%s" % digits(rng, 11), "%s%06d" % (alnum(rng, 3), rng.randint(0, 999999)), "HW-%s-%d" % (alnum(rng, 4), rng.randint(100, 999))])


def amount(rng):
    return rng.choice(PRICE_POINTS) if rng.random() < 0.6 else "%.2f" % rng.uniform(1, 3000)


def ts_str(rng, style=0):
    t = datetime.datetime(2024, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    if style == 0:
        return t.strftime("%Y-%m-%d %H:%M:%S")
    if style == 1:
        return t.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    if style == 2:
        return t.strftime("%Y%m%d%H%M%S")
    return int((t - datetime.datetime(1970, 1, 1)).total_seconds()) - 8 * 3600


def coupon(rng):
    return rng.choice(["MTYH%s" % alnum(rng, 8), "JD-%s-%s" % (alnum(rng, 4), alnum(rng, 4)), "QUAN%s" % alnum(rng, 10),
                       "TB2024%s" % alnum(rng, 6), "DY%s" % digits(rng, 12)])


def waybill(rng, cp=None):
    cp = cp or rng.choice(EXPRESS)[0]
    return {"SF": "SF" + digits(rng, 13), "ZTO": "7" + rng.choice("358") + digits(rng, 10), "YTO": "YT" + digits(rng, 13),
            "YUNDA": "4" + rng.choice("36") + digits(rng, 11), "STO": "77" + digits(rng, 11), "JD": "JDVA" + digits(rng, 11),
            "EMS": "98" + digits(rng, 11), "JTSD": "JT" + digits(rng, 13)}[cp]


def rsa_sig(rng):
    # RSA2 (2048-bit) or legacy RSA (1024-bit) signature, base64
    return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(rng.choice([256, 128, 128, 128])))).decode()


# --------------------------------------------------------------------------
# Document builder with labelling and validation
# --------------------------------------------------------------------------

# Identifier-like decoys are plentiful in every payload; only a share of them
# is labelled so that the decoy set stays dominated by place / shop / company /
# warehouse / hotel / merchant-address look-alikes.
DECOY_LABEL_P = {"order_no": 0.22, "timestamp": 0.15, "amount": 0.25, "app_id": 0.25, "signature": 0.2,
                 "nonce": 0.4, "sku": 0.3, "product_name": 0.3, "region_field": 0.55, "waybill_no": 0.6}

PRECEDENCE = ["base64_json", "url_encoded", "json_in_string", "free_text", "romanized", "abbrev_key", "number", "plain"]


class Doc:
    def __init__(self, api, rng):
        self.api, self.rng = api, rng
        self.pii, self.decoys = [], []
        self.allowed = set()
        self.stack = []

    def place(self, base):
        cands = self.stack + [base]
        return min(cands, key=PRECEDENCE.index)

    def P(self, cat, value, placement="plain"):
        self.pii.append({"category": cat, "value": str(value), "placement": self.place(placement)})
        return value

    def D(self, kind, value, placement="plain"):
        if self.rng.random() > DECOY_LABEL_P.get(kind, 1.0):
            return value
        self.decoys.append({"kind": kind, "value": str(value), "placement": self.place(placement)})
        return value

    def allow(self, s):
        self.allowed.add(s)
        return s

    def push(self, p):
        self.stack.append(p)

    def pop(self):
        self.stack.pop()

    # carriers ----------------------------------------------------------
    def json_str(self, obj, ascii_prob=0.12):
        return json.dumps(obj, ensure_ascii=self.rng.random() < ascii_prob, separators=(",", ":"))

    def b64_json(self, obj):
        return base64.b64encode(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()).decode()

    def form(self, pairs):
        return urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)

    # free text -----------------------------------------------------------
    def text(self, template, placement="free_text", **fills):
        """template uses {x}; each fill is a str or (kind, cat, value) with kind 'p' or 'd'."""
        vals = {}
        used = {fn for _, fn, _, _ in string.Formatter().parse(template) if fn}
        for k, f in fills.items():
            if k not in used:
                vals[k] = ""
                continue
            if isinstance(f, tuple):
                kind, cat, v = f
                (self.P if kind == "p" else self.D)(cat, v, placement)
                vals[k] = v
            else:
                vals[k] = f
        s = template.format(**vals)
        return self.allow(s)


B64_RE = re.compile(r"^[A-Za-z0-9+/]{12,}={0,2}$")


def decode_leaves(v, out, depth=0):
    if isinstance(v, dict):
        for x in v.values():
            decode_leaves(x, out, depth)
    elif isinstance(v, list):
        for x in v:
            decode_leaves(x, out, depth)
    elif isinstance(v, str):
        decode_str(v, out, depth)
    elif isinstance(v, bool) or v is None:
        return
    else:
        out.append((json.dumps(v), False))


def decode_str(s, out, depth):
    carrier = False
    if depth < 8:
        t = s.strip()
        if t[:1] in "{[":
            try:
                obj = json.loads(t)
                decode_leaves(obj, out, depth + 1)
                carrier = True
            except ValueError:
                pass
        if not carrier and len(t) % 4 == 0 and B64_RE.match(t):
            try:
                txt = base64.b64decode(t, validate=True).decode("utf-8")
                if txt.strip()[:1] in "{[" or all(c.isprintable() for c in txt):
                    decode_str(txt, out, depth + 1)
                    carrier = True
            except (ValueError, UnicodeDecodeError):
                pass
        if not carrier and "=" in t and ("&" in t or "%" in t):
            q = t.split("?", 1)[1] if "?" in t else t
            pairs = urllib.parse.parse_qsl(q, keep_blank_values=True)
            if pairs:
                for _, val in pairs:
                    decode_str(val, out, depth + 1)
                carrier = True
        elif not carrier and re.search(r"%[0-9A-Fa-f]{2}", t):
            u = urllib.parse.unquote(t)
            if u != t:
                decode_str(u, out, depth + 1)
                carrier = True
    out.append((s, carrier))


class Invalid(Exception):
    pass


def finalize(d, obj):
    """Serialise, dedupe labels, drop conflicting decoys, validate. Returns record dict."""
    doc = json.dumps(obj, ensure_ascii=d.rng.random() < 0.04, separators=(",", ":") if d.rng.random() < 0.85 else (", ", ": "))
    parsed = json.loads(doc)
    leaves = []
    decode_leaves(parsed, leaves)
    texts = [s for s, _ in leaves]
    plain_leaves = [s for s, c in leaves if not c]
    seen, pii = set(), []
    for e in d.pii:
        if e["value"] in seen:
            continue
        seen.add(e["value"])
        if len(e["value"]) < 2:
            raise Invalid("short pii")
        if not any(e["value"] in t for t in texts):
            raise Invalid("pii not found: %r" % e["value"])
        pii.append(e)
    pvals = [e["value"] for e in pii]
    # personal values may only sit in leaves that are themselves labelled,
    # contain another personal value, or were registered as composite text.
    for pv in pvals:
        for leaf in plain_leaves:
            if pv in leaf and leaf != pv and leaf not in d.allowed and not any(
                    q != pv and pv in q and q in leaf for q in pvals):
                raise Invalid("pii %r leaks into unlabelled leaf %r" % (pv, leaf[:80]))
    dseen, decoys = set(), []
    for e in d.decoys:
        v = e["value"]
        if v in dseen or v in seen or len(v) < 2:
            continue
        if any(v in pv or pv in v for pv in pvals):
            continue
        if not any(v in t for t in texts):
            raise Invalid("decoy not found: %r" % v)
        dseen.add(v)
        decoys.append(e)
    return {"api": d.api, "split": "tune", "doc": doc, "pii": pii, "decoys": decoys}


# --------------------------------------------------------------------------
# Shared field helpers
# --------------------------------------------------------------------------

NAME_NOTES = [
    "麻烦{n}签收，谢谢", "已与{n}确认，{t}前送达即可", "{n}的包裹，放门卫室", "{n}代收也可以", "到了先打电话给{n}",
    "帮{n}买的，别放发票和价签", "{n}不在家就放快递柜", "和{n}说过了，放物业前台", "生日礼物，送给{n}，不要透露价格",
    "联系不上的话找{n}", "这单是{n}的，别和上一单搞混", "{n}下午三点后在家", "周末{n}在，工作日放驿站",
    "我出差了，{n}会去取", "{n}晚上九点前都可以收",
]
NAME_NOTES_EN = ["Thanks, {n}", "Please hand it to {n}", "{n} will pick it up at the front desk",
                 "Call {n} if nobody answers", "Deliver to {n}, thanks!", "Gift for {n}, no invoice please"]
ADDR_NOTES = ["请送到{a}", "地址改为{a}，之前填错了", "送{a}，到了别敲门，宝宝在睡觉", "改送{a}", "周末送到{a}",
              "收货地址更正：{a}", "放到{a}门口就行", "请直接送上楼：{a}", "新地址{a}，旧地址不要送了"]
ADDR_NOTES_EN = ["Please deliver to {a}", "New address: {a}", "Ship to {a} instead, thanks"]
GATE_NOTES = ["放在{g}门卫", "放{g}楼下快递柜", "送到{g}，放门口鞋柜上", "{g}北门进，放物业"]
PHONE_NOTES = ["到了打{p}", "备用电话{p}", "收件人电话换成{p}了", "打不通请拨{p}", "联系电话{p}（微信同号）"]
DECOY_NOTES = ["在{s}门口等", "路过{s}的时候顺便带一下", "不要送到{s}", "餐送到{s}旁边", "{s}对面那栋"]
PLAIN_NOTES = ["尽快发货", "不要放辣", "少冰", "发顺丰", "请用纸箱包装", "需要开发票", "", "", "周末不收货", "易碎品小心轻放"]


def note_name(d, p, placement="free_text", english=None):
    rng = d.rng
    if english is None:
        english = rng.random() < 0.22
    if english or p.kind != "cn":
        n = romanize(rng, p) if (english or rng.random() < 0.5) else p.name
        return d.text(rng.choice(NAME_NOTES_EN), placement, n=("p", "name", n))
    return d.text(rng.choice(NAME_NOTES), placement, n=("p", "name", p.name), t=rng.choice(["18点", "中午", "周六", "晚上8点"]))


def note_addr(d, p, placement="free_text", a=None):
    rng = d.rng
    r = rng.random()
    if p.kind != "cn":
        v = hk_tw_addr(rng, p)
        return d.text(rng.choice(ADDR_NOTES if re.search(r"[\u4e00-\u9fff]", v) else ADDR_NOTES_EN), placement, a=("p", "address", v))
    a = a or home_addr(rng, p)
    if r < 0.2:
        g = a.complex + a.unit if a.rural else a.complex + rng.choice([a.unit, bldg_part(a)])
        return d.text(rng.choice(GATE_NOTES), placement, g=("p", "address", g))
    if r < 0.32:
        return d.text(rng.choice(ADDR_NOTES_EN), placement, a=("p", "address", a.en))
    v = fmt_addr(rng, a, rng.choice(["full", "noprov", "detail", "noprov", "spaced"]))
    return d.text(rng.choice(ADDR_NOTES), placement, a=("p", "address", v))


def note_mixed(d, p, placement="free_text", city=None, want=("name", "addr", "phone", "decoy")):
    """A remark combining a few of: name, address, phone, decoy place."""
    rng = d.rng
    parts, fills = [], {}
    order = list(want)
    rng.shuffle(order)
    for w in order:
        if w == "name":
            if p.kind == "cn" and rng.random() < 0.85:
                parts.append(rng.choice(["麻烦{n}签收", "交给{n}", "{n}会来取", "已和{n}确认过"]))
                fills["n"] = ("p", "name", p.name)
            else:
                parts.append(rng.choice(["Thanks, {n}", "for {n}"]))
                fills["n"] = ("p", "name", romanize(rng, p))
        elif w == "addr":
            v, a, form = any_addr_value(rng, p, ["noprov", "detail", "full", "detail"])
            parts.append(rng.choice(["送到{a}", "地址：{a}", "放{a}门口"]))
            fills["a"] = ("p", "address", v)
        elif w == "phone":
            parts.append(rng.choice(["电话{ph}", "打{ph}", "手机{ph}"]))
            fills["ph"] = ("p", "phone", fmt_mobile(rng, p.phone, p.kind))
        elif w == "decoy":
            kind, val = rng.choice([("shop_name", shop_name(rng, city)), ("place_name", place_name(rng, city)),
                                    ("hotel_name", hotel_name(rng, city))])
            parts.append(rng.choice(DECOY_NOTES).replace("{s}", "{s}"))
            fills["s"] = ("d", kind, val)
    return d.text("，".join(parts), placement, **fills)


def maybe_ext(d, p, obj, prob=0.35, a=None):
    """Sender's own extension block with abbreviated / unusual keys."""
    rng = d.rng
    if rng.random() > prob:
        return
    key = rng.choice(["ext", "extInfo", "ext_fields", "reserved", "extend", "bizExt", "kz"])
    ext = {}
    k = rng.randint(1, 3)
    choices = ["addr", "name", "phone", "id", "addr2", "addr3"]
    rng.shuffle(choices)
    for c in choices[:k]:
        if c in ("addr", "addr2", "addr3"):
            v, _, _ = any_addr_value(rng, p)
            kk = rng.choice(["shdz", "RCV_ADDR", "consignee_addr", "addr_detail", "detailAddress", "dz", "sjrdz",
                             "rcvAddr", "CNEE_ADDR", "deliveryAddressInfo"])
            while kk in ext:
                kk = rng.choice(["shdz", "RCV_ADDR", "consignee_addr", "addr_detail", "detailAddress", "dz", "sjrdz",
                                 "rcvAddr", "CNEE_ADDR", "shouhuo_dizhi", "addr2", "RCV_ADDR2"])
            if kk == "deliveryAddressInfo":
                ext[kk] = {"fullAddress": d.P("address", v, "abbrev_key"), "tag": rng.choice(["家", "公司", "学校"])}
            else:
                ext[kk] = d.P("address", v, "abbrev_key")
        elif c == "name":
            kk = rng.choice(["shr", "sjr", "RCV_NM", "lxr", "cnee_nm", "khxm", "linkman", "xm"])
            ext[kk] = d.P("name", p.name if p.kind == "cn" or rng.random() < 0.5 else romanize(rng, p), "abbrev_key")
        elif c == "phone":
            kk = rng.choice(["sjhm", "lxdh", "CNEE_TEL", "mob_no", "rcvMob", "tel1", "shrdh"])
            ext[kk] = d.P("phone", fmt_mobile(rng, p.phone, p.kind), "abbrev_key")
        elif c == "id":
            kk = rng.choice(["sfzh", "cert_no", "zjhm", "idNo", "ID_NO"])
            ext[kk] = d.P("id_number", p.id_number.lower() if rng.random() < 0.3 else p.id_number, "abbrev_key")
    if ext:
        ext[rng.choice(["src", "ver", "channel"])] = rng.choice(["H5", "APP", "MINI", "v2", "pc"])
        obj[key] = ext




# --------------------------------------------------------------------------
# API shapes
# --------------------------------------------------------------------------

FLAGSHIPS = ["小米官方旗舰店", "海尔官方旗舰店", "三只松鼠旗舰店", "良品铺子官方旗舰店", "优衣库官方旗舰店", "华为官方旗舰店",
             "美的官方旗舰店", "李宁官方旗舰店", "安踏官方旗舰店", "欧莱雅官方旗舰店", "蒙牛官方旗舰店", "维达旗舰店",
             "百草味旗舰店", "索尼官方旗舰店", "波司登官方旗舰店", "元气森林旗舰店", "格力官方旗舰店", "戴森官方旗舰店"]
NICKS = ["tb_{n}", "快乐的小鱼{y}", "jiangnan_yu{y}", "t_15{n}", "小猪佩奇爱吃糖", "星空下的猫{y}", "木子李{y}", "风清扬{y}",
         "momo_{n}", "一只柠檬精", "Sunny{y}", "阿飞正传{y}", "用户{n}"]
SPECS = ["颜色分类:黑色;尺码:XL", "颜色:白色;尺码:42", "口味:原味;规格:500g", "容量:256GB;颜色:原色钛金属", "套餐:官方标配",
         "颜色分类:雾霾蓝;尺码:165/88A", "规格:12盒装", "功率:大1.5匹"]


def nick(rng):
    return rng.choice(NICKS).format(n=digits(rng, 8), y=rng.randint(1, 2024))


def other_person(rng, p, same_sur=0.4):
    q = make_person(rng, kind="cn", home=p.city)
    if p.kind == "cn" and rng.random() < same_sur:
        q.sur, q.sur_py = p.sur, p.sur_py
        q.name = q.sur + q.given
    return q


def remark_for(d, p, city, weights=(0.25, 0.40, 0.18, 0.05, 0.12)):
    """Pick one buyer-remark flavour: name / addr / mixed / phone / plain."""
    rng = d.rng
    k = wchoice(rng, list(zip(["name", "addr", "mixed", "phone", "plain"], weights)))
    if k == "name":
        return note_name(d, other_person(rng, p) if rng.random() < 0.6 else p)
    if k == "addr":
        return note_addr(d, p)
    if k == "mixed":
        w = ["addr"] + rng.sample(["name", "phone", "decoy"], rng.randint(1, 2)) if rng.random() < 0.7 else \
            rng.sample(["name", "phone", "decoy"], 2)
        return note_mixed(d, p if rng.random() < 0.5 else other_person(rng, p), city=city, want=w)
    if k == "phone":
        return d.text(rng.choice(PHONE_NOTES), p=("p", "phone", fmt_mobile(rng, gen_mobile(rng))))
    if rng.random() < 0.3:
        return d.text(rng.choice(DECOY_NOTES), s=("d", "shop_name", shop_name(rng, city)))
    return rng.choice(PLAIN_NOTES)


def receiver_name_value(d, p, key_placement="plain"):
    rng = d.rng
    if p.kind != "cn" and rng.random() < 0.5:
        return d.P("name", romanize(rng, p), "romanized")
    if p.kind == "cn" and rng.random() < 0.12:
        return d.P("name", romanize(rng, p), "romanized")
    return d.P("name", p.name, key_placement)


def b_taobao(d):
    rng = d.rng
    p = make_person(rng)
    city = p.city or rng.choice(CITIES)
    t = {"tid": d.D("order_no", int("3" + digits(rng, 18)), "number"), "type": "fixed",
         "status": rng.choice(["WAIT_SELLER_SEND_GOODS", "WAIT_BUYER_CONFIRM_GOODS", "TRADE_FINISHED"]),
         "buyer_nick": nick(rng), "seller_nick": d.D("shop_name", rng.choice(FLAGSHIPS)),
         "created": d.D("timestamp", ts_str(rng)), "pay_time": ts_str(rng),
         "payment": d.D("amount", amount(rng)), "post_fee": rng.choice(["0.00", "6.00", "10.00"])}
    t["receiver_name"] = receiver_name_value(d, p)
    if p.kind == "cn":
        a = home_addr(rng, p)
        split = rng.random() < 0.6
        t["receiver_country"] = ""
        t["receiver_state"] = d.D("region_field", a.prov[:-1] if a.prov.endswith("市") and rng.random() < 0.5 else a.prov)
        t["receiver_city"] = d.D("region_field", a.cityn)
        t["receiver_district"] = d.D("region_field", a.dist)
        t["receiver_town"] = d.D("region_field", a.town) if a.town else ""
        t["receiver_address"] = d.P("address", a.detail if split else fmt_addr(rng, a, rng.choice(["full", "noprov", "spaced", "dup"])))
        t["receiver_zip"] = d.D("region_field", a.zip) if rng.random() < 0.5 else ""
    else:
        t["receiver_country"] = "中国"
        t["receiver_state"] = "香港特别行政区" if p.kind == "hk" else "台湾"
        t["receiver_address"] = d.P("address", hk_tw_addr(rng, p))
    t["receiver_mobile"] = d.P("phone", fmt_mobile(rng, p.phone, p.kind))
    t["receiver_phone"] = d.P("phone", gen_landline(rng, p.city)) if rng.random() < 0.25 else ""
    msg = remark_for(d, p, city)
    if msg:
        t["buyer_message"] = msg
    if rng.random() < 0.45:
        t["seller_memo"] = rng.choice([lambda: d.text("从{w}发出", w=("d", "warehouse", rng.choice(WAREHOUSES))),
                                       lambda: note_addr(d, p), lambda: note_addr(d, p), lambda: "客户要求顺丰，差价已补",
                                       lambda: d.text("改发{c}", c=("d", "company_name", rng.choice(EXPRESS)[1]))])()
    orders = []
    for _ in range(rng.choice([1, 1, 2])):
        orders.append({"oid": int("3" + digits(rng, 18)), "title": d.D("product_name", rng.choice(GOODS)),
                       "sku_properties_name": rng.choice(SPECS), "outer_sku_id": d.D("sku", sku(rng)),
                       "price": amount(rng), "num": rng.randint(1, 3)})
    t["orders"] = {"order": orders}
    t["alipay_no"] = d.D("order_no", "2024" + digits(rng, 24))
    maybe_ext(d, p, t, 0.25)
    return {"trade_fullinfo_get_response": {"trade": t}}


def b_pdd(d):
    rng = d.rng
    p = make_person(rng, kind="cn")
    city = p.city or rng.choice(CITIES)
    a = home_addr(rng, p)
    o = {"order_sn": d.D("order_no", "%s-%s" % (ts_str(rng, 2)[2:8], digits(rng, 15))),
         "order_status": rng.choice([1, 2, 3]), "refund_status": 1, "created_time": d.D("timestamp", ts_str(rng)),
         "pay_time": ts_str(rng), "updated_at": ts_str(rng), "country": "中国",
         "province_id": int(a.dist_code[:2]), "city_id": int(a.dist_code[:4]), "town_id": int(a.dist_code)}
    o["province"] = d.D("region_field", a.prov)
    o["city"] = d.D("region_field", a.cityn)
    o["town"] = d.D("region_field", a.dist)
    full_form = rng.choice(["full", "spaced", "full", "noprov"])
    o["address"] = d.P("address", fmt_addr(rng, a, full_form))
    o["receiver_address"] = d.P("address", a.detail)
    o["receiver_name"] = receiver_name_value(d, p)
    if rng.random() < 0.8:
        o["receiver_phone"] = d.P("phone", fmt_mobile(rng, p.phone))
    else:
        o["receiver_phone"] = p.phone[:7] + "****"
    o["pay_amount"] = d.D("amount", amount(rng))
    o["goods_amount"] = amount(rng)
    o["discount_amount"] = rng.choice(["0.00", "3.00", "5.00"])
    o["postage"] = "0.00"
    o["pay_no"] = d.D("order_no", "4200" + digits(rng, 24))
    o["pay_type"] = rng.choice(["WEIXIN", "ALIPAY", "QQ", "LIANLIANPAY"])
    cp = rng.choice(EXPRESS)[0]
    o["logistics_id"] = rng.randint(1, 300)
    o["tracking_number"] = d.D("waybill_no", waybill(rng, cp))
    o["shipping_time"] = ts_str(rng)
    m = remark_for(d, p, city, (0.35, 0.3, 0.15, 0.05, 0.15))
    o["buyer_memo"] = m or ""
    o["remark"] = (note_addr(d, p) if rng.random() < 0.25 else
                   d.text("{w}缺货，改从{w2}发", w=("d", "warehouse", rng.choice(WAREHOUSES)),
                          w2=("d", "warehouse", rng.choice(WAREHOUSES))) if rng.random() < 0.3 else "")
    o["item_list"] = [{"goods_id": d.D("goods_id", int(rng.choice(PHONE_PREFIX) + digits(rng, 8)) if rng.random() < 0.5 else int(digits(rng, 11)), "number"), "sku_id": int(digits(rng, 12)), "outer_id": d.D("sku", sku(rng)),
                       "goods_name": d.D("product_name", rng.choice(GOODS)),
                       "goods_price": amount(rng), "goods_spec": rng.choice(SPECS).replace(";", ","),
                       "goods_count": rng.randint(1, 4)}
                      for _ in range(rng.choice([1, 1, 2]))]
    if rng.random() < 0.45:
        o["order_depot_info"] = {"depot_id": digits(rng, 6), "depot_code": "WH" + digits(rng, 4),
                                 "depot_name": d.D("warehouse", rng.choice(WAREHOUSES)), "depot_type": 1,
                                 "ware_id": digits(rng, 8), "ware_sn": sku(rng), "ware_name": rng.choice(PRODUCTS), "ware_type": 0}
    if rng.random() < 0.2:
        o["self_contained"] = 1
        o["store_info"] = {"store_id": int(digits(rng, 7)), "store_name": d.D("shop_name", shop_name(rng, city)), "store_number": "MD" + digits(rng, 5)}
    else:
        o["self_contained"] = 0
    maybe_ext(d, p, o, 0.3)
    return {"order_info_get_response": {"order_info": o, "request_id": "1715%s" % digits(rng, 14)}}


def _id_name(rng, name):
    return {"id": int(digits(rng, 6)), "name": name}


def b_doudian(d):
    rng = d.rng
    p = make_person(rng, kind="cn")
    city = p.city or rng.choice(CITIES)
    a = home_addr(rng, p)
    o = {"order_id": d.D("order_no", "69" + digits(rng, 17)), "shop_id": int(digits(rng, 8)),
         "shop_name": d.D("shop_name", rng.choice(FLAGSHIPS + [shop_name(rng, city)])),
         "open_id": "1@#" + alnum(rng, 20),
         "order_status": 2, "order_status_desc": "备货中",
         "create_time": d.D("timestamp", ts_str(rng, 3), "number"), "pay_time": ts_str(rng, 3), "update_time": ts_str(rng, 3),
         "order_amount": rng.randint(990, 99900), "pay_amount": d.D("amount", rng.randint(990, 99900), "number"),
         "post_amount": 0}
    o["post_receiver"] = receiver_name_value(d, p)
    o["post_tel"] = d.P("phone", fmt_mobile(rng, p.phone))
    o["mask_post_receiver"] = p.sur + "*" * len(p.given)
    o["mask_post_tel"] = p.phone[:3] + "****" + p.phone[-4:]
    street = a.town if a.town else ""
    pa = {"province": _id_name(rng, d.D("region_field", a.prov)), "city": _id_name(rng, d.D("region_field", a.cityn)),
          "town": _id_name(rng, d.D("region_field", a.dist)),
          "street": _id_name(rng, d.D("region_field", street) if street else "")}
    if a.rural:
        pa["detail"] = d.P("address", a.detail if rng.random() < 0.7 else fmt_addr(rng, a, "full"))
    else:
        pa["detail"] = d.P("address", a.detail if rng.random() < 0.75 else fmt_addr(rng, a, "noprov"))
    o["post_addr"] = pa
    if rng.random() < 0.3:
        la, las = gen_coord(rng, p.lat)
        ln, lns = gen_coord(rng, p.lng)
        o["user_coordinate"] = {"user_coordinate_latitude": d.P("location", las), "user_coordinate_longitude": d.P("location", lns)}
    bw = remark_for(d, p, city)
    o["buyer_words"] = bw or ""
    o["seller_words"] = (d.text("达人直播间赠品，从{w}发", w=("d", "warehouse", rng.choice(WAREHOUSES))) if rng.random() < 0.3 else
                         note_addr(d, p) if rng.random() < 0.3 else
                         note_name(d, other_person(rng, p)) if rng.random() < 0.2 else "")
    cp = rng.choice(EXPRESS)
    o["sku_order_list"] = [{"order_id": "69" + digits(rng, 17), "product_name": d.D("product_name", rng.choice(GOODS)),
                            "code": d.D("sku", sku(rng)), "item_num": rng.randint(1, 3),
                            "spec": [{"name": "颜色", "value": rng.choice(["黑色", "白色", "雾霾蓝"])}],
                            "origin_amount": rng.randint(990, 99900), "pay_amount": rng.randint(990, 99900)}]
    o["logistics_info"] = [{"tracking_no": d.D("waybill_no", waybill(rng, cp[0])), "company": cp[0].lower(),
                            "company_name": cp[1], "ship_time": ts_str(rng, 3)}]
    maybe_ext(d, p, o, 0.25)
    return {"code": 10000, "msg": "success", "data": {"shop_order_detail": o}}


def b_youzan(d):
    rng = d.rng
    p = make_person(rng, kind="cn")
    city = p.city or rng.choice(CITIES)
    a = home_addr(rng, p)
    ai = {"receiver_name": receiver_name_value(d, p), "receiver_tel": d.P("phone", fmt_mobile(rng, p.phone)),
          "delivery_province": d.D("region_field", a.prov), "delivery_city": d.D("region_field", a.cityn),
          "delivery_district": d.D("region_field", a.dist),
          "delivery_address": d.P("address", a.detail if rng.random() < 0.7 else fmt_addr(rng, a, "full")),
          "delivery_postal_code": d.D("region_field", a.zip) if rng.random() < 0.4 else ""}
    extra = {"appointmentType": rng.choice([0, 2]), "areaCode": a.dist_code}
    if rng.random() < 0.5:
        d.push("json_in_string")
        la, las = gen_coord(rng, p.lat, digits=rng.choice([6, 8, 12]))
        ln, lns = gen_coord(rng, p.lng, digits=rng.choice([6, 8, 12]))
        extra["lon"] = float(d.P("location", lns, "number"))
        extra["lat"] = float(d.P("location", las, "number"))
        d.pop()
    ai["address_extra"] = d.json_str(extra)
    if rng.random() < 0.2:
        d.push("json_in_string")
        sf = {"name": d.D("shop_name", shop_name(rng, city)), "address": d.D("merchant_address", merchant_address(rng, city)),
              "user_name": d.P("name", p.name), "user_tel": d.P("phone", p.phone), "user_time": ts_str(rng)}
        d.pop()
        ai["self_fetch_info"] = d.json_str(sf)
    else:
        ai["self_fetch_info"] = ""
    buyer = p if rng.random() < 0.6 else other_person(rng, p)
    bi = {"outer_user_id": "o" + alnum(rng, 27), "fans_type": 1, "fans_nickname": nick(rng)}
    if buyer is not p:
        bi["buyer_phone"] = d.P("phone", fmt_mobile(rng, buyer.phone))
    else:
        bi["buyer_phone"] = d.P("phone", p.phone)
    ri = {"buyer_message": remark_for(d, p, city) or "", "star": 0,
          "trade_memo": d.text("收件人{n}是买家{m}", n=("p", "name", p.name), m=("p", "name", buyer.name)) if buyer is not p and rng.random() < 0.4 else
          note_addr(d, p) if rng.random() < 0.25 else ""}
    oi = {"tid": d.D("order_no", "E" + ts_str(rng, 2) + digits(rng, 9)), "status": "WAIT_SELLER_SEND_GOODS",
          "status_str": "待发货", "created": d.D("timestamp", ts_str(rng)), "pay_time": ts_str(rng), "type": 0,
          "node_kdt_id": int(digits(rng, 8)), "order_extra": {"is_from_cart": "true", "buyer_name": nick(rng)}}
    orders = [{"oid": digits(rng, 19), "title": d.D("product_name", rng.choice(GOODS)), "sku_properties_name": rng.choice(SPECS),
               "outer_sku_id": d.D("sku", sku(rng)), "price": amount(rng), "num": rng.randint(1, 5), "payment": amount(rng)}]
    foi = {"order_info": oi, "address_info": ai, "remark_info": ri, "buyer_info": bi,
           "pay_info": {"payment": d.D("amount", amount(rng)), "post_fee": "0.00", "total_fee": amount(rng)},
           "orders": orders}
    maybe_ext(d, p, foi, 0.25)
    return {"success": True, "code": 200, "message": "successful", "data": {"full_order_info": foi}}


def b_jd(d):
    rng = d.rng
    p = make_person(rng)
    city = p.city or rng.choice(CITIES)
    d.push("json_in_string")
    inner = {"salePlat": "0030001", "customerCode": "010K" + digits(rng, 6), "orderId": d.D("order_no", digits(rng, 12)),
             "thrOrderId": digits(rng, 12), "senderName": d.D(*rng.choice([("warehouse", rng.choice(WAREHOUSES)),
                                                                            ("company_name", company_name(rng)),
                                                                            ("shop_name", rng.choice(FLAGSHIPS))])),
             "senderAddress": d.D("merchant_address", warehouse_addr(rng) if rng.random() < 0.5 else merchant_address(rng)),
             "senderTel": gen_landline(rng, rng.choice(CITIES))}
    inner["receiveName"] = receiver_name_value(d, p)
    if p.kind == "cn":
        a = home_addr(rng, p)
        inner["receiveAddress"] = d.P("address", fmt_addr(rng, a, rng.choice(["full", "full", "noprov", "detail", "spaced"])))
        inner["province"] = d.D("region_field", a.prov)
        inner["city"] = d.D("region_field", a.cityn)
        inner["county"] = d.D("region_field", a.dist)
        inner["town"] = d.D("region_field", a.town) if a.town else ""
        inner["postcode"] = a.zip
    else:
        inner["receiveAddress"] = d.P("address", hk_tw_addr(rng, p))
    inner["receiveMobile"] = d.P("phone", fmt_mobile(rng, p.phone, p.kind))
    inner["receiveTel"] = d.P("phone", gen_landline(rng, p.city)) if rng.random() < 0.1 else ""
    inner["packageCount"] = rng.randint(1, 3)
    inner["weight"] = round(rng.uniform(0.2, 20), 2)
    inner["description"] = d.D("product_name", rng.choice(GOODS))
    inner["remark"] = remark_for(d, p, city) or ""
    inner["promiseTimeType"] = rng.choice([1, 2])
    if rng.random() < 0.3:
        inner["idNumber"] = d.P("id_number", p.id_number) if rng.random() < 0.7 else d.P("passport", gen_passport(rng, p))
    if rng.random() < 0.35:
        d.push("url_encoded")
        pairs = [("src", rng.choice(["tmall", "h5", "app"]))]
        q = other_person(rng, p)
        for f in rng.sample(["name", "tel", "addr", "id"], rng.randint(1, 3)):
            if f == "name":
                pairs.append(("consignee", d.P("name", q.name)))
            elif f == "tel":
                pairs.append(("tel", d.P("phone", fmt_mobile(rng, q.phone))))
            elif f == "addr":
                v, _, _ = any_addr_value(rng, q, ["full", "noprov", "detail"])
                pairs.append(("addr", d.P("address", v)))
            else:
                pairs.append(("certNo", d.P("id_number", q.id_number)))
        d.pop()
        inner["extendField1"] = d.form(pairs)
    if rng.random() < 0.4:
        d.push("base64_json")
        q = p if p.kind == "cn" else other_person(rng, p)
        payload = {"buyer": d.P("name", q.name), "buyerMobile": d.P("phone", q.phone), "memo": rng.choice(PLAIN_NOTES)}
        if rng.random() < 0.5:
            v, _, _ = any_addr_value(rng, q, ["full", "detail", "en"])
            payload["origAddr"] = d.P("address", v)
        d.pop()
        inner["extendField2"] = d.b64_json(payload)
    maybe_ext(d, p, inner, 0.2)
    d.pop()
    return {"method": "jingdong.ldop.waybill.receive", "app_key": d.D("app_id", hexs(rng, 32, True)),
            "access_token": hexs(rng, 32), "timestamp": d.D("timestamp", ts_str(rng)), "v": "2.0", "format": "json",
            "sign_method": "md5", "sign": d.D("signature", hexs(rng, 32, True)), "360buy_param_json": d.json_str(inner, 0.4)}


def b_cainiao(d):
    rng = d.rng
    as_string = rng.random() < 0.6
    if as_string:
        d.push("json_in_string")
    cp, cpn = rng.choice(EXPRESS)
    sc = rng.choice(CITIES)
    sender = {"address": {"province": sc["prov"], "city": sc["city"], "district": rng.choice(sc["dists"])[0],
                          "detail": d.D("merchant_address", rng.choice([merchant_address(rng, sc), warehouse_addr(rng)]))},
              "name": d.D(*rng.choice([("warehouse", rng.choice(WAREHOUSES)), ("shop_name", rng.choice(FLAGSHIPS)),
                                       ("company_name", company_name(rng, sc))])),
              "phone": gen_landline(rng, sc)}
    dtos = []
    for i in range(rng.choice([1, 1, 1, 2, 2, 3])):
        p = make_person(rng, kind="cn")
        a = home_addr(rng, p)
        rec = {"address": {"province": d.D("region_field", a.prov), "city": d.D("region_field", a.cityn),
                           "district": d.D("region_field", a.dist), "town": d.D("region_field", a.town) if a.town else "",
                           "detail": d.P("address", a.detail if rng.random() < 0.8 else fmt_addr(rng, a, "full"))},
               "mobile": d.P("phone", fmt_mobile(rng, p.phone)), "name": receiver_name_value(d, p),
               "phone": d.P("phone", gen_landline(rng, p.city)) if rng.random() < 0.15 else ""}
        if rng.random() < 0.3:
            rec["tid"] = str(3 * 10 ** 18 + rng.randint(0, 10 ** 17))
            rec["oaid"] = alnum(rng, 40)
        dtos.append({"object_id": str(i + 1),
                     "order_info": {"order_channels_type": rng.choice(["TB", "TM", "JD", "PDD", "OTHERS"]),
                                    "trade_order_list": [d.D("order_no", str(3 * 10 ** 18 + rng.randint(0, 10 ** 17)))]},
                     "package_info": {"id": str(i + 1), "items": [{"count": rng.randint(1, 3), "name": d.D("product_name", rng.choice(GOODS))}],
                                      "volume": rng.randint(1, 9), "weight": rng.randint(100, 9000)},
                     "recipient": rec, "template_url": "http://cloudprint.cainiao.com/template/standard/%d/%d" % (rng.randint(100, 999), rng.randint(1, 200))})
    req = {"cp_code": cp, "sender": sender, "trade_order_info_dtos": dtos,
           "store_code": d.D("warehouse", rng.choice(WAREHOUSES)) if rng.random() < 0.3 else ""}
    if as_string:
        d.pop()
        val = d.json_str(req, 0.3)
    else:
        val = req
    return {"method": "cainiao.waybill.ii.get", "app_key": d.D("app_id", digits(rng, 8)), "session": "6102" + hexs(rng, 24),
            "timestamp": d.D("timestamp", ts_str(rng)), "format": "json", "v": "2.0", "sign_method": "hmac",
            "sign": d.D("signature", hexs(rng, 32, True)), "param_waybill_cloud_print_apply_new_request": val}


CAUTIONS = ["门口放着就行，别敲门", "少放辣", "不要香菜", "多给两双筷子", "放前台", "餐具份数:1", "放外卖柜", "尽快送达"]


def b_meituan(d):
    rng = d.rng
    p = make_person(rng, kind="cn", home=rng.choice(CITIES))
    city = p.city
    a = gen_urban(rng, city)
    o = {"orderId": d.D("order_no", int("27" + digits(rng, 14)), "number"), "orderIdView": int("27" + digits(rng, 14)),
         "ctime": d.D("timestamp", ts_str(rng, 3), "number"), "status": rng.choice([2, 4, 8]),
         "cityId": int(a.dist_code[:4] + "00"), "poiId": int(digits(rng, 8)),
         "poiName": d.D("shop_name", shop_name(rng, city)), "poiAddress": d.D("merchant_address", merchant_address(rng, city)),
         "poiPhone": gen_landline(rng, city), "isPre": 0, "daySeq": rng.randint(1, 300), "hasInvoiced": 0}
    la, las = gen_coord(rng, city["lat"])
    ln, lns = gen_coord(rng, city["lng"])
    o["latitude"] = float(d.P("location", las, "number"))
    o["longitude"] = float(d.P("location", lns, "number"))
    r = rng.random()
    if r < 0.35:
        region = (a.cityn if city["muni"] else a.prov + a.cityn) + a.dist
        val = "%s (%s)%s@#%s%s" % (a.complex, a.complex, a.unit, region, a.complex)
    elif r < 0.55:
        val = fmt_addr(rng, a, "noprov")
    elif r < 0.8:
        val = fmt_addr(rng, a, "full")
    else:
        val = a.detail
    o["recipientAddress"] = d.P("address", val)
    nm = p.name
    if rng.random() < 0.3:
        o["recipientName"] = d.allow(nm + ("(先生)" if p.gender == "M" else "(女士)"))
        d.P("name", nm)
    else:
        o["recipientName"] = d.P("name", nm)
    o["recipientPhone"] = d.P("phone", fmt_mobile(rng, p.phone))
    c = rng.random()
    if c < 0.55:
        o["caution"] = remark_for(d, p, city, (0.3, 0.35, 0.2, 0.05, 0.1))
    else:
        o["caution"] = rng.choice(CAUTIONS)
    d.push("json_in_string")
    dishes = [{"app_food_code": digits(rng, 6), "food_name": d.D("product_name", rng.choice(FOOD)),
               "quantity": rng.randint(1, 3), "price": float(rng.choice(["18.0", "26.0", "32.5", "15.9"])),
               "box_num": 1, "box_price": 1.0, "unit": "份", "food_discount": 1}]
    d.pop()
    o["detail"] = d.json_str(dishes, 0.5)
    o["extras"] = d.json_str([{"reduce_fee": rng.choice([3, 5, 8]), "remark": "满30减5元", "type": 2}], 0.5)
    if rng.random() < 0.6:
        rider = make_person(rng, kind="cn", home=city)
        o["logisticsCode"] = 1001
        o["logisticsName"] = "美团专送"
        o["logisticsDispatcherName"] = d.P("name", rider.name)
        o["logisticsDispatcherMobile"] = int(d.P("phone", rider.phone, "number"))
        o["logisticsStatus"] = 20
        o["logisticsSendTime"] = ts_str(rng, 3)
    if rng.random() < 0.25:
        o["hasInvoiced"] = 1
        o["invoiceTitle"] = d.D("company_name", company_name(rng, city))
        o["taxpayerId"] = "91" + digits(rng, 6) + "MA" + alnum(rng, 7) + "X"
    if rng.random() < 0.5:
        d.push("json_in_string")
        fee = {"wmPoiReceiveCent": d.D("amount", rng.randint(1000, 20000), "number"), "foodShareFeeChargeByPoi": rng.randint(100, 900),
               "logisticsFee": 300, "onlinePayment": rng.randint(1000, 20000)}
        d.pop()
        o["poiReceiveDetail"] = d.json_str(fee)
    o["shippingFee"] = float(rng.choice(["0.0", "2.5", "3.5", "5.0"]))
    o["total"] = float(amount(rng))
    o["payType"] = 2
    maybe_ext(d, p, o, 0.2)
    return o


def b_happytrip(d):
    rng = d.rng
    p = make_person(rng, kind="cn", home=rng.choice(CITIES))
    city = p.city
    a = gen_urban(rng, city)
    hl, hls = gen_coord(rng, city["lat"])
    hg, hgs = gen_coord(rng, city["lng"])
    poi = rng.choice([x for x in STATIONS + LANDMARKS + SCENIC if x[:2] == city["city"][:2]] or
                     [city["city"][:-1] + x for x in city["pois"]] + [city["city"][:-1] + "火车站", city["city"][:-1] + "东站"])
    poi_addr = merchant_address(rng, city)
    pl, pls = gen_coord(rng, city["lat"], 0.2)
    pg, pgs = gen_coord(rng, city["lng"], 0.2)
    home_first = rng.random() < 0.5
    home_addr_v = fmt_addr(rng, a, rng.choice(["noprov", "detail", "full"]))
    req = {"method": "alibaba.happytrip.taxi.order.create", "app_key": d.D("app_id", digits(rng, 8)), "session": "6101" + hexs(rng, 40),
           "timestamp": d.D("timestamp", ts_str(rng)), "v": "2.0", "format": "json", "sign_method": "md5",
           "sign": d.D("signature", hexs(rng, 32, True)), "uid": "U" + digits(rng, 10),
           "order_id": d.D("order_no", digits(rng, 19)), "type": rng.choice([0, 1]),
           "passenger_phone": d.P("phone", fmt_mobile(rng, p.phone)), "city": d.D("region_field", city["city"])}
    s_lat, s_lng = (hls, hgs) if home_first else (pls, pgs)
    e_lat, e_lng = (pls, pgs) if home_first else (hls, hgs)
    req["flat"], req["flng"] = s_lat, s_lng
    req["tlat"], req["tlng"] = e_lat, e_lng
    for v in (hls, hgs):
        d.P("location", v)
    if home_first:
        req["start_name"], req["start_address"] = a.complex, d.P("address", home_addr_v)
        req["end_name"], req["end_address"] = d.D("place_name", poi), d.D("poi_address", poi_addr)
    else:
        req["start_name"], req["start_address"] = d.D("place_name", poi), d.D("poi_address", poi_addr)
        req["end_name"], req["end_address"] = a.complex, d.P("address", home_addr_v)
    if rng.random() < 0.5:
        cl, cls = gen_coord(rng, city["lat"], 0.1)
        cg, cgs = gen_coord(rng, city["lng"], 0.1)
        req["clat"], req["clng"] = d.P("location", cls), d.P("location", cgs)
    req["departure_time"] = ts_str(rng)
    req["require_level"] = rng.choice(["100", "400", "600", "900"])
    req["map_type"] = "amap"
    req["sms_policy"] = rng.randint(0, 3)
    r = rng.random()
    if r < 0.35:
        q = other_person(rng, p)
        req["extra_info"] = d.text(rng.choice(["帮{n}叫的车，乘车人电话{ph}", "乘车人{n}，{ph}", "{n}坐车，到了打{ph}"]),
                                   n=("p", "name", q.name), ph=("p", "phone", fmt_mobile(rng, q.phone)))
    elif r < 0.6:
        req["extra_info"] = d.text(rng.choice(["在{s}{g}口等", "{s}{g}门上车"]), s=("d", "place_name", poi), g=rng.choice("ABCD"))
    elif r < 0.7:
        req["extra_info"] = note_name(d, p)
    elif r < 0.85:
        req["extra_info"] = d.text(rng.choice(["到{g}楼下接我", "在{g}门口等", "{g}地库出口上车"]), g=("p", "address", a.complex + bldg_part(a)))
    else:
        req["extra_info"] = rng.choice(["有行李", "带宠物", "需要儿童座椅", ""])
    req["dynamic_md5"] = d.D("nonce", hexs(rng, 32))
    req["carpool_type"] = rng.choice([0, 1])
    req["passenger_number"] = rng.randint(1, 3)
    maybe_ext(d, p, req, 0.2)
    return req


def b_hotel(d):
    rng = d.rng
    city = rng.choice(CITIES)
    if rng.random() < 0.55:
        p = make_person(rng)
        param = {"hotel_id": "H" + digits(rng, 6), "shid": int(digits(rng, 8)), "gid": int(digits(rng, 12)),
                 "hotel_name": d.D("hotel_name", hotel_name(rng, city)), "rp_name": rng.choice(["大床房-含双早", "高级双床房", "商务大床房(不含早)", "行政套房-含早"]),
                 "breakfast_name": rng.choice(["双早", "无早", "单早"]), "check_in_date": d.D("timestamp", "2024-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 27))),
                 "check_out_date": "2024-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28)), "room_number": 1,
                 "person_number": 2, "adult_number": 2, "children_number": 0, "rp_id": int(digits(rng, 9)),
                 "rate_id": int(digits(rng, 10)), "room_id": int(digits(rng, 8)), "payment_type": 1, "payment_channel": "ALIPAY"}
        if p.kind == "cn" and rng.random() < 0.5:
            param["customer_last_name"] = p.sur
            param["customer_first_name"] = d.P("name", p.given) if len(p.given) > 1 else p.given
        else:
            param["customer_last_name"] = p.sur_py.upper() if rng.random() < 0.5 else p.sur_py
            gv = p.given_py if rng.random() < 0.6 else p.given_py.upper()
            param["customer_first_name"] = d.P("name", gv, "romanized") if len(gv) >= 5 else gv
        param["customer_phone"] = d.P("phone", fmt_mobile(rng, p.phone, p.kind))
        if rng.random() < 0.7:
            param["customer_email"] = d.P("email", p.email)
        guests = []
        for _ in range(rng.randint(1, 2)):
            g = other_person(rng, p, 0.3)
            if rng.random() < 0.5:
                gv = g.given_py.upper()
                guests.append({"contact_last_name": g.sur_py.upper(), "contact_first_name": d.P("name", gv, "romanized") if len(gv) >= 5 else gv,
                               "roomer_number": 2, "adult_roomer_number": 2, "child_roomer_number": 0})
            else:
                guests.append({"contact_last_name": g.sur, "contact_first_name": d.P("name", g.given) if len(g.given) > 1 else g.given,
                               "roomer_number": 1, "adult_roomer_number": 1, "child_roomer_number": 0})
        param["guest_by_room_dtos"] = guests
        if rng.random() < 0.4:
            param["offer_source_channel"] = "fliggy"
        maybe_ext(d, p, param, 0.3)
        return {"create_order_param": param}
    # business-travel hotel order list
    rows = []
    corp = company_name(rng)
    for _ in range(rng.randint(1, 2)):
        p = make_person(rng, kind="cn")
        guests = [p] + [other_person(rng, p) for _ in range(rng.randint(0, 2))]
        rows.append({"id": int(digits(rng, 12)), "gmt_create": d.D("timestamp", ts_str(rng)), "gmt_modified": ts_str(rng),
                     "corp_id": "ding" + hexs(rng, 16), "corp_name": d.D("company_name", corp),
                     "user_id": digits(rng, 15), "user_name": d.P("name", p.name),
                     "depart_id": digits(rng, 9), "depart_name": rng.choice(["华东大区销售部", "技术中心", "财务部", "供应链管理部"]),
                     "apply_id": int(digits(rng, 10)), "contact_phone": d.P("phone", fmt_mobile(rng, p.phone)),
                     "contact_name": d.P("name", guests[-1].name) if len(guests) > 1 else p.name,
                     "city": d.D("region_field", city["city"]), "hotel_name": d.D("hotel_name", hotel_name(rng, city)),
                     "check_in": ts_str(rng), "check_out": ts_str(rng), "room_type": rng.choice(["高级大床房", "标准双床房"]),
                     "room_num": 1, "night": rng.randint(1, 4),
                     "guest": d.allow(",".join(d.P("name", g.name) for g in guests)) if len(guests) > 1 else p.name,
                     "order_status": 1, "order_status_desc": "已确认", "order_type": 0, "order_type_desc": "国内酒店",
                     "thirdpart_itinerary_id": "TRIP" + digits(rng, 10)})
        if rng.random() < 0.3:
            rows[-1]["memo"] = d.text(rng.choice(["客人持护照{pp}入住", "入住人{n}，护照号{pp}", "外籍同事随行，护照{pp}"]),
                                      pp=("p", "passport", gen_passport(rng, p)), n=("p", "name", p.name))
    return {"success": True, "total_num": len(rows), "module": rows, "request_id": hexs(rng, 16)}


def b_alipay_notify(d):
    rng = d.rng
    p = make_person(rng)
    city = p.city or rng.choice(CITIES)
    n = {"gmt_create": d.D("timestamp", ts_str(rng)), "charset": "utf-8", "notify_type": "trade_status_sync",
         "notify_id": "2024" + hexs(rng, 28), "notify_time": ts_str(rng), "sign_type": "RSA2",
         "sign": d.D("signature", rsa_sig(rng)), "trade_no": d.D("order_no", "2024" + digits(rng, 24)),
         "app_id": d.D("app_id", "2021" + digits(rng, 12)),
         "out_trade_no": d.D("order_no", "T" + ts_str(rng, 2) + digits(rng, 5)), "buyer_id": "2088" + digits(rng, 12),
         "seller_id": "2088" + digits(rng, 12), "trade_status": rng.choice(["TRADE_SUCCESS", "TRADE_FINISHED"]),
         "total_amount": d.D("amount", amount(rng)), "receipt_amount": amount(rng), "buyer_pay_amount": amount(rng),
         "version": "1.0",
         "subject": d.D(*rng.choice([("product_name", rng.choice(PRODUCTS)), ("shop_name", shop_name(rng, city)),
                                      ("hotel_name", hotel_name(rng, city))])),
         "gmt_payment": ts_str(rng),
         "buyer_logon_id": rng.choice([p.phone[:3] + "****" + p.phone[-4:], p.email.split("@")[0][:3] + "***@" + p.email.split("@")[1]])}
    n["fund_bill_list"] = d.json_str([{"amount": n["total_amount"], "fundChannel": rng.choice(["ALIPAYACCOUNT", "PCREDIT", "BANKCARD"])}], 0.0)
    r = rng.random()
    if r < 0.55:
        d.push("url_encoded")
        pairs = [("bizType", rng.choice(["delivery", "o2o", "mall"]))]
        q = p
        for f in rng.sample(["name", "mobile", "addr", "email", "ip"], rng.randint(2, 4)):
            if f == "name":
                pairs.append(("consignee", d.P("name", q.name if q.kind == "cn" else romanize(rng, q))))
            elif f == "mobile":
                pairs.append(("mobile", d.P("phone", fmt_mobile(rng, q.phone, q.kind))))
            elif f == "addr":
                v, _, _ = any_addr_value(rng, q, ["full", "noprov", "detail", "en"])
                pairs.append(("addr", d.P("address", v)))
            elif f == "email":
                pairs.append(("email", d.P("email", q.email)))
            else:
                pairs.append(("clientIp", d.P("ip", gen_ip(rng))))
        pairs.append(("shop", d.D("shop_name", shop_name(rng, city))))
        d.pop()
        s = d.form(pairs)
        n["passback_params"] = urllib.parse.quote(s, safe="") if rng.random() < 0.5 else s
    elif r < 0.85:
        d.push("base64_json")
        pl = {"uid": digits(rng, 9), "receiver": d.P("name", p.name), "tel": d.P("phone", p.phone)}
        if p.kind == "cn" and rng.random() < 0.5:
            pl["idNo"] = d.P("id_number", p.id_number)
        d.pop()
        n["passback_params"] = d.b64_json(pl)
    r = rng.random()
    if r < 0.4:
        n["body"] = note_mixed(d, p, city=city, want=rng.sample(["name", "addr", "phone", "decoy"], rng.randint(1, 3)))
    elif r < 0.6:
        n["body"] = d.text("{prod} x{k}", prod=("d", "product_name", rng.choice(PRODUCTS)), k=str(rng.randint(1, 3)))
    maybe_ext(d, p, n, 0.15)
    return n


def b_alipay_transfer(d):
    rng = d.rng
    p = make_person(rng, kind="cn")
    as_str = rng.random() < 0.75
    if as_str:
        d.push("json_in_string")
    kind = rng.choice(["logon", "logon", "card", "userid"])
    biz = {"out_biz_no": d.D("order_no", ts_str(rng, 2) + digits(rng, 6)), "trans_amount": d.D("amount", amount(rng)),
           "biz_scene": "DIRECT_TRANSFER",
           "order_title": rng.choice(["骑手奖励", "佣金结算", "报销款", "理赔款", "退款", "推广奖励"])}
    payee = {}
    if kind == "logon":
        biz["product_code"] = "TRANS_ACCOUNT_NO_PWD"
        payee["identity"] = d.P("email", p.email) if rng.random() < 0.5 else d.P("phone", p.phone)
        payee["identity_type"] = "ALIPAY_LOGON_ID"
        payee["name"] = d.P("name", p.name)
    elif kind == "userid":
        biz["product_code"] = "TRANS_ACCOUNT_NO_PWD"
        payee["identity"] = "2088" + digits(rng, 12)
        payee["identity_type"] = "ALIPAY_USER_ID"
        if rng.random() < 0.5:
            payee["name"] = d.P("name", p.name)
    else:
        biz["product_code"] = "TRANS_BANKCARD_NO_PWD"
        bank, card = gen_card(rng)
        payee["identity"] = d.P("bank_card", card)
        payee["identity_type"] = "BANKCARD_ACCOUNT"
        payee["name"] = d.P("name", p.name)
        c = rng.choice(CITIES)
        payee["bankcard_ext_info"] = {"account_type": "2", "inst_name": bank,
                                      "inst_province": d.D("region_field", c["prov"]), "inst_city": d.D("region_field", c["city"]),
                                      "inst_branch_name": d.D("bank_branch", bank_branch(rng, c))}
    biz["payee_info"] = payee
    r = rng.random()
    if r < 0.45:
        biz["remark"] = d.text(rng.choice(["{n}{m}月报销款", "{n}的骑手补贴", "给{n}的理赔款，卡号{c}", "{n}推广佣金"]),
                               n=("p", "name", p.name), m=str(rng.randint(1, 12)),
                               c=("p", "bank_card", gen_card(rng)[1]))
    elif r < 0.7:
        biz["remark"] = d.text("{s}门店退款", s=("d", "shop_name", shop_name(rng)))
    else:
        biz["remark"] = rng.choice(["佣金", "奖励金", "退款"])
    biz["business_params"] = json.dumps({"payer_show_name_use_alias": "true", "sub_biz_scene": rng.choice(["REDPACKET", "BAOXIAO", "TRANSFER"])})
    maybe_ext(d, p, biz, 0.15)
    if as_str:
        d.pop()
    return {"app_id": d.D("app_id", "2021" + digits(rng, 12)), "method": "alipay.fund.trans.uni.transfer", "format": "JSON",
            "charset": "utf-8", "sign_type": "RSA2", "timestamp": d.D("timestamp", ts_str(rng)), "version": "1.0",
            "biz_content": d.json_str(biz, 0.3) if as_str else biz, "sign": d.D("signature", rsa_sig(rng))}


def b_wechat_transfer(d):
    rng = d.rng
    rows = []
    total = 0
    month = rng.randint(1, 12)
    with_name = rng.random() < 0.8
    for _ in range(rng.randint(1, 4)):
        p = make_person(rng, kind="cn")
        amt = rng.randint(100, 800000)
        total += amt
        row = {"out_detail_no": d.D("order_no", "x23zy" + digits(rng, 12)), "transfer_amount": amt,
               "transfer_remark": (d.text(rng.choice(["{n}{m}月骑手补贴", "{n}{m}月提成", "给{n}的推广奖励"]), n=("p", "name", p.name), m=str(month))
                                   if rng.random() < 0.35 else rng.choice(["%d月佣金" % month, "推广奖励", "兼职劳务费"])),
               "openid": "o-MYE" + alnum(rng, 23)}
        if with_name:
            row["user_name"] = d.P("name", p.name)
        rows.append(row)
    body = {"appid": d.D("app_id", "wx" + hexs(rng, 16)), "out_batch_no": d.D("order_no", "plfk" + ts_str(rng, 2)),
            "batch_name": "%d年%d月骑手佣金" % (2024, month), "batch_remark": "%d月佣金发放" % month,
            "total_amount": d.D("amount", total, "number"), "total_num": len(rows), "transfer_detail_list": rows,
            "transfer_scene_id": rng.choice(["1000", "1001", "1005"])}
    if rng.random() < 0.25:
        body["notify_url"] = "https://pay.%s.com/wxpay/transfer/notify" % rng.choice(["xiaoyu", "kuaipei", "hengtong"])
    return body


def b_cmb(d):
    rng = d.rng
    n = rng.randint(1, 4)
    rows = []
    tot = 0.0
    month = rng.randint(1, 12)
    for i in range(n):
        p = make_person(rng, kind="cn")
        bank, card = gen_card(rng)
        amt = round(rng.uniform(3000, 30000), 2)
        tot += amt
        row = {"trxseq": "%08d" % (i + 1), "eacnbr": d.P("bank_card", card, "abbrev_key"),
               "eacnam": d.P("name", p.name, "abbrev_key"), "rcvamt": "%.2f" % amt}
        r = rng.random()
        if r < 0.3:
            row["trxtxt"] = d.text(rng.choice(["代发{n}{m}月工资", "{n}{m}月绩效", "{n}年终奖"]), n=("p", "name", p.name), m=str(month))
        elif r < 0.5:
            row["trxtxt"] = d.text(rng.choice(["身份证{i}", "工资 {i}", "{i} 绩效"]), i=("p", "id_number", p.id_number))
        else:
            row["trxtxt"] = "工资"
        if rng.random() < 0.3:
            row["cprref"] = d.D("order_no", "HR" + ts_str(rng, 2)[:8] + "%04d" % (i + 1))
        if bank != "招商银行" and rng.random() < 0.5:
            row["eacbnk"] = d.D("bank_branch", bank_branch(rng))
        rows.append(row)
    x1 = {"bbknbr": "75", "begtag": "Y", "endtag": "Y", "bustya": "BYSA", "curamt": "%.2f" % tot, "curcnt": str(n),
          "ttlamt": d.D("amount", "%.2f" % tot), "ttlcnt": str(n), "ttlnum": "1",
          "payacc": d.D("corporate_account", "7559" + digits(rng, 11)), "trxrmk": "%d年%02d月工资" % (2024, month),
          "yurref": d.D("order_no", "DBJBZDH" + ts_str(rng, 2) + digits(rng, 3)), "eptdat": ts_str(rng, 2)[:8], "epttim": "000000",
          "ntfinf": ""}
    return {"request": {"head": {"funcode": "BB6BTHHL", "userid": "N00" + digits(rng, 7), "reqid": ts_str(rng, 2) + digits(rng, 4)},
                        "body": {"ntbusmody": [{"busmod": "00001"}], "ntagcsaix1": [x1], "ntagcsaix2": rows}},
            "signature": {"sigtim": ts_str(rng, 2), "sigdat": "__signature_sigdat__"}}


def b_claim(d):
    rng = d.rng
    p = make_person(rng, kind="cn")
    city = p.city or rng.choice(CITIES)
    d.push("json_in_string")
    biz = {"claim_report_no": d.D("order_no", "CR" + ts_str(rng, 2) + digits(rng, 6)), "accident_time": d.D("timestamp", ts_str(rng))}
    home = rng.random() < 0.6
    if home:
        v, a, _ = any_addr_value(rng, p, ["full", "noprov", "detail"])
        biz["accident_address"] = d.P("address", v)
    else:
        biz["accident_address"] = d.D(*rng.choice([("place_name", place_name(rng, city)), ("merchant_address", merchant_address(rng, city))]))
    r = rng.random()
    if r < 0.35:
        biz["accident_desc"] = d.text(rng.choice(["被保险人{n}在家中摔伤，现住{a}，联系电话{ph}", "{n}于家中({a})滑倒骨折",
                                                  "{n}骑电动车回{a}途中被撞"]),
                                      n=("p", "name", p.name), a=("p", "address", fmt_addr(rng, home_addr(rng, p), rng.choice(["noprov", "detail"]))),
                                      ph=("p", "phone", fmt_mobile(rng, p.phone)))
    elif r < 0.65:
        biz["accident_desc"] = d.text(rng.choice(["在{s}附近被电动车刮伤，已在{h}就诊", "{s}停车场车辆被剐蹭"]),
                                      s=("d", "place_name", rng.choice(SCENIC + LANDMARKS)), h=("d", "place_name", rng.choice(LANDMARKS[4:])))
    else:
        biz["accident_desc"] = note_mixed(d, p, city=city, want=["name", "phone"])
    d.push("json_in_string")
    ins = []
    for q in [p] + ([other_person(rng, p)] if rng.random() < 0.3 else []):
        use_pp = rng.random() < 0.2
        ins.append({"relationship": rng.choice(["self", "parents", "brothers", "sisters"]), "name": d.P("name", q.name),
                    "idType": "passport" if use_pp else "idcard",
                    "idNo": d.P("passport", gen_passport(rng, q)) if use_pp else d.P("id_number", q.id_number),
                    "gender": "man" if q.gender == "M" else "female",
                    "birth": d.P("birth_date", fmt_birth(rng, q.birth, rng.choice([6, 0, 0, 3]))),
                    "contactNo": d.P("phone", rng.choice(["+86" + q.phone, q.phone])),
                    "email": d.P("email", q.email) if rng.random() < 0.6 else ""})
    bank, card = gen_card(rng)
    bd = {"policyNo": d.D("order_no", "P" + digits(rng, 18)), "insureds": ins,
          "bank_card_number": d.P("bank_card", fmt_card(rng, card)), "link_name": d.P("name", p.name),
          "link_phone": d.P("phone", p.phone), "link_email": d.P("email", p.email) if rng.random() < 0.4 else "",
          "claim_type": rng.choice(["online", "offline"]), "premium": d.D("amount", amount(rng))}
    d.pop()
    biz["biz_data"] = d.json_str(bd, 0.3)
    d.pop()
    return {"app_id": d.D("app_id", "2021" + digits(rng, 12)), "method": "alipay.ins.scene.claim.report.modify", "charset": "utf-8",
            "sign_type": "RSA2", "timestamp": d.D("timestamp", ts_str(rng)), "version": "1.0",
            "biz_content": d.json_str(biz, 0.2), "sign": d.D("signature", rsa_sig(rng))}


def b_telecom(d):
    rng = d.rng
    p = make_person(rng, kind="cn")
    req = {"channelId": d.D("app_id", hexs(rng, 32)), "channelToken": hexs(rng, 40), "method": "hkb.api.mobile.charge",
           "v": "1.0", "timestamp": d.D("timestamp", ts_str(rng))}
    if rng.random() < 0.3:
        req["rechargePhone"] = int(d.P("phone", p.phone, "number"))
    else:
        req["rechargePhone"] = d.P("phone", fmt_mobile(rng, p.phone))
    req["rechargeAmount"] = d.D("amount", rng.choice(["30", "50", "100", "200", "300"]))
    req["outerTid"] = d.D("order_no", ts_str(rng, 2) + digits(rng, 8))
    d.push("url_encoded")
    pairs = [("orderNo", req["outerTid"])]
    for f in rng.sample(["mobile", "ip", "name", "ip"], rng.randint(1, 3)):
        if f == "mobile":
            pairs.append(("mobile", d.P("phone", p.phone)))
        elif f == "ip":
            pairs.append(("clientIp", d.P("ip", gen_ip(rng))))
        else:
            pairs.append(("userName", d.P("name", p.name)))
    d.pop()
    host = rng.choice(["notify.xxpay.com", "api.kuaichong.cn", "cb.hengtongpay.com"])
    req["callback"] = "https://%s/recharge/notify/cb?%s" % (host, d.form(pairs))
    req["productId"] = "P" + digits(rng, 5)
    req["channelOrderId"] = d.D("order_no", "HKB" + digits(rng, 16))
    if rng.random() < 0.3:
        k, v = gen_device(rng, rng.choice(["imei", "oaid", "idfa"]))
        req["deviceId"] = d.P("device", v)
    req["sign"] = d.D("signature", hexs(rng, 32, True))
    return req


def b_lending(d):
    rng = d.rng
    p = make_person(rng, kind="cn")
    city = p.city or rng.choice(CITIES)
    ubi = {"name": d.P("name", p.name), "identification_no": d.P("id_number", p.id_number.lower() if rng.random() < 0.4 else p.id_number)}
    if rng.random() < 0.2:
        ubi["mobile"] = int(d.P("phone", p.phone, "number"))
    else:
        ubi["mobile"] = d.P("phone", fmt_mobile(rng, p.phone))
    ubi["audit_mobile"] = p.phone if isinstance(ubi["mobile"], int) or ubi["mobile"] == p.phone else d.P("phone", p.phone)
    ubi["education_enum"] = rng.choice(["高中", "大专", "本科", "硕士"])
    ubi["marriage_enum"] = rng.choice(["已婚", "未婚", "其他"])
    co_city = rng.choice(CITIES)
    ubi["company_name"] = d.D("company_name", company_name(rng, co_city))
    ubi["company_telephone"] = gen_landline(rng, co_city)
    ubi["company_address"] = d.D("merchant_address", merchant_address(rng, co_city))
    v, a, _ = any_addr_value(rng, p, ["full", "full", "noprov", "spaced", "dup"])
    ubi["residence_address"] = d.P("address", v)
    ubi["email"] = d.P("email", p.email)
    if rng.random() < 0.3:
        ubi["birth_day"] = int(d.P("birth_date", p.birth.strftime("%Y%m%d"), "number"))
    else:
        ubi["birth_day"] = d.P("birth_date", fmt_birth(rng, p.birth, rng.choice([2, 2, 0, 1, 3])))
    ubi["income_information"] = rng.choice(["5000-10000", "10000-20000", "3000-5000"])
    idi = {"identification_no": ubi["identification_no"], "name": p.name}
    v2, _, _ = any_addr_value(rng, p, ["full", "full", "noprov"])
    idi["identification_address"] = d.P("address", v2)
    st = rng.randint(2010, 2022)
    idi["valid_date"] = "%d.%02d.%02d-%s" % (st, rng.randint(1, 12), rng.randint(1, 28), rng.choice(["%d.01.01" % (st + 20), "长期"]))
    idi["nation"] = rng.choice(["汉", "汉", "回", "壮", "满", "土家"])
    issue_city = p.city or rng.choice(CITIES)
    idi["issue_group"] = d.D("org_name", "%s公安局%s分局" % (issue_city["city"], rng.choice(issue_city["dists"])[0][:-1]))
    if rng.random() < 0.25:
        idi["idcard_front"] = d.P("biometric", gen_face(rng))
    fi = {"identify_score": rng.randint(75, 99), "identify_result": "PASS", "hack_score": "%.2f" % rng.uniform(0, 0.3)}
    face = gen_face(rng)
    if rng.random() < 0.2:
        fi["face_photo"] = "https://oss-cn-hangzhou.aliyuncs.com/face/%s.jpg" % hexs(rng, 24)
    elif rng.random() < 0.3:
        fi["face_photo"] = d.allow("data:image/%s;base64,%s" % ("png" if face.startswith("iVBOR") else "jpeg", face))
        d.P("biometric", face)
    else:
        fi["face_photo"] = d.P("biometric", face)
    c1, c2 = other_person(rng, p, 0.5), other_person(rng, p, 0.1)
    ci = {"close_name": d.P("name", c1.name), "close_mobile": d.P("phone", fmt_mobile(rng, c1.phone)),
          "common_name": d.P("name", c2.name), "common_mobile": d.P("phone", fmt_mobile(rng, c2.phone)),
          "contact_cnt": rng.randint(50, 900)}
    if rng.random() < 0.25:
        ci["other_contact_list"] = [{"name": d.P("name", q.name), "mobile": d.P("phone", q.phone)}
                                    for q in (make_person(rng, kind="cn") for _ in range(rng.randint(1, 3)))]
    la, las = gen_coord(rng, p.lat)
    ln, lns = gen_coord(rng, p.lng)
    v3, _, _ = any_addr_value(rng, p, ["full", "noprov", "detail"])
    li = {"meridian": d.P("location", lns), "parallel": d.P("location", las), "ip": d.P("ip", gen_ip(rng)),
          "detail_address": d.P("address", v3)}
    brand, model, os_t = rng.choice(PHONE_MODELS)
    dev = {"brand": brand, "model": model, "os_type": os_t, "os_version": rng.choice(["14", "13", "17.4.1", "16.6"])}
    if os_t == "ANDROID":
        imei = gen_imei(rng)
        dev["imei"] = int(d.P("device", imei, "number")) if rng.random() < 0.2 else d.P("device", imei)
        dev["imsi"] = d.P("device", gen_device(rng, "imsi")[1])
        dev["android_id"] = d.P("device", gen_device(rng, "android_id")[1])
        dev["idfa_uuid"] = ""
        if rng.random() < 0.5:
            dev["oaid"] = d.P("device", gen_device(rng, "oaid")[1])
    else:
        dev["imei"] = ""
        dev["imsi"] = ""
        dev["idfa_uuid"] = d.P("device", gen_uuid(rng, True))
    dev["client_mac"] = d.P("device", gen_mac(rng))
    dev["client_ip"] = d.P("ip", gen_ip(rng))
    dev["device_id"] = d.P("device", gen_uuid(rng, rng.random() < 0.5))
    dev["wifi_name"] = rng.choice(["ChinaNet-%s" % alnum(rng, 4), "TP-LINK_%s" % hexs(rng, 4, True), "CMCC-%s" % alnum(rng, 4), "HUAWEI-5G-%s" % alnum(rng, 3)])
    dev["network_status"] = rng.choice(["WIFI", "4G", "5G"])
    body = {"user_id": digits(rng, 10), "apply_no": d.D("order_no", "AP" + ts_str(rng, 2) + digits(rng, 6)),
            "user_base_info": ubi, "identification_info": idi, "face_info": fi, "contact_info": ci,
            "location_info": li, "device_info": dev}
    r = rng.random()
    if r < 0.45:
        d.push("base64_json")
        ti = {"zm_score": rng.randint(550, 850), "name": d.P("name", p.name), "cert_no": d.P("id_number", p.id_number)}
        if rng.random() < 0.5:
            bank, card = gen_card(rng)
            ti["bank_card"] = d.P("bank_card", card)
        d.pop()
        body["third_info"] = d.b64_json(ti)
    elif r < 0.75:
        d.push("json_in_string")
        ti = {"zm_score": rng.randint(550, 850), "reserved_mobile": d.P("phone", p.phone)}
        bank, card = gen_card(rng)
        ti["repay_card"] = d.P("bank_card", card)
        ti["repay_bank"] = d.D("bank_branch", bank_branch(rng, city))
        d.pop()
        body["third_info"] = d.json_str(ti)
    if rng.random() < 0.5:
        d.push("json_in_string")
        ot = {"step_ms": [rng.randint(800, 90000) for _ in range(5)], "ua_ip": d.P("ip", gen_ip(rng))}
        d.pop()
        body["other"] = d.json_str(ot)
    if rng.random() < 0.35:
        bank, card = gen_card(rng)
        body["credict_card_info"] = {"card_no": d.P("bank_card", fmt_card(rng, card)), "repayment_day": str(rng.randint(1, 28)),
                                     "limit": str(rng.choice([10000, 20000, 50000]))}
    maybe_ext(d, p, body, 0.2)
    return body


SHAPES = [
    ("taobao_trade_fullinfo_get", b_taobao, 100),
    ("pdd_order_information_get", b_pdd, 95),
    ("doudian_order_detail", b_doudian, 90),
    ("youzan_trade_get", b_youzan, 85),
    ("jd_ldop_waybill_receive", b_jd, 95),
    ("cainiao_waybill_ii_get", b_cainiao, 85),
    ("meituan_waimai_order", b_meituan, 95),
    ("happytrip_taxi_order_create", b_happytrip, 70),
    ("hotel_order", b_hotel, 65),
    ("alipay_trade_notify", b_alipay_notify, 70),
    ("alipay_fund_trans_uni_transfer", b_alipay_transfer, 60),
    ("wechatpay_transfer_batches", b_wechat_transfer, 55),
    ("cmb_payroll_bb6bthhl", b_cmb, 55),
    ("alipay_ins_claim_report", b_claim, 75),
    ("telecom_mobile_charge", b_telecom, 50),
    ("lending_apply_audit", b_lending, 50),
]


def main():
    rng = random.Random(SEED)
    builders = {s[0]: s[1] for s in SHAPES}
    # fixed composition (largest-remainder quotas), shuffled
    tot_w = sum(s[2] for s in SHAPES)
    quota = {s[0]: s[2] * N_DOCS // tot_w for s in SHAPES}
    rest = sorted(SHAPES, key=lambda s: -((s[2] * N_DOCS) % tot_w))
    for s in rest[:N_DOCS - sum(quota.values())]:
        quota[s[0]] += 1
    plan = [api for api, _, _ in SHAPES for _ in range(quota[api])]
    rng.shuffle(plan)
    records, failures = [], collections.Counter()
    for api in plan:
        for attempt in range(50):
            d = Doc(api, random.Random(rng.getrandbits(64)))
            try:
                obj = builders[api](d)
                rec = finalize(d, obj)
                break
            except Invalid as e:
                failures[api + ": " + str(e).split(":")[0]] += 1
        else:
            raise SystemExit("could not build a valid %s document" % api)
        records.append(rec)
    validate_all(records)
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    report(records, failures)


def validate_all(records):
    keys = ["api", "split", "doc", "pii", "decoys"]
    cats = {"name", "id_number", "bank_card", "phone", "email", "ip", "passport", "birth_date", "address", "biometric",
            "device", "location"}
    for rec in records:
        assert list(rec.keys()) == keys, rec.keys()
        assert rec["split"] == "tune"
        obj = json.loads(rec["doc"])
        leaves = []
        decode_leaves(obj, leaves)
        texts = [s for s, _ in leaves]
        pvals = [e["value"] for e in rec["pii"]]
        for e in rec["pii"]:
            assert set(e) == {"category", "value", "placement"}
            assert e["category"] in cats, e
            assert e["placement"] in PRECEDENCE, e
            assert any(e["value"] in t for t in texts), e
            if e["category"] == "id_number" and re.fullmatch(r"\d{17}[\dXx]", e["value"]):
                assert id_check(e["value"][:17]) == e["value"][17].upper(), e
            if e["category"] == "bank_card":
                assert luhn_ok(e["value"].replace(" ", "")), e
            if e["category"] == "device" and re.fullmatch(r"\d{15}", e["value"]) and not e["value"].startswith("460"):
                assert luhn_ok(e["value"]), e
            if e["category"] == "biometric":
                raw = base64.b64decode(e["value"])
                assert raw[:3] == b"\xff\xd8\xff" or raw[:8] == b"\x89PNG\r\n\x1a\n", e
                assert len(e["value"]) > 2048, len(e["value"])
        for e in rec["decoys"]:
            assert set(e) == {"kind", "value", "placement"}
            assert any(e["value"] in t for t in texts), e
            assert not any(e["value"] in pv or pv in e["value"] for pv in pvals), e


def address_form(v):
    if re.search(r"[A-Za-z]{3,}", v):
        return "english / pinyin"
    if re.search(r"[樓號區臺灣邨]|香港|九龍|新界|台北|新北|高雄|台南", v):
        return "hong kong / taiwan"
    if re.search(r"村|组|社$|队|乡", v):
        return "rural (village / group)"
    prov = re.match(r"^(\S+?(省|自治区)|北京|上海|天津|重庆)", v)
    if " " in v.strip() and prov:
        return "spaced levels"
    if prov:
        return "full with province"
    if re.match(r"^\S+?市", v):
        return "from city (no province)"
    if re.match(r"^\S+?[区县]", v):
        return "from district"
    return "detail only (street / complex / unit)"


def table(title, counter, total=None):
    print("\n%s" % title)
    print("-" * len(title))
    tot = total or sum(counter.values())
    width = max([len(k) for k in counter] + [8])
    for k, v in counter.most_common():
        print("  %-*s %6d  %5.1f%%" % (width, k, v, 100.0 * v / tot))
    print("  %-*s %6d" % (width, "TOTAL", sum(counter.values())))


def report(records, failures):
    size = os.path.getsize(OUT_PATH)
    shown = os.path.relpath(OUT_PATH, REPO_ROOT) if OUT_PATH.startswith(REPO_ROOT + os.sep) else OUT_PATH
    print("wrote %d documents to %s (%.2f MB), seed %d" % (len(records), shown, size / 1e6, SEED))
    table("documents per api", collections.Counter(r["api"] for r in records))
    cat = collections.Counter(e["category"] for r in records for e in r["pii"])
    table("pii per category", cat)
    table("pii per placement", collections.Counter(e["placement"] for r in records for e in r["pii"]))
    cp = collections.Counter("%s / %s" % (e["category"], e["placement"]) for r in records for e in r["pii"])
    table("pii per category / placement", cp)
    forms = collections.Counter()
    for r in records:
        for e in r["pii"]:
            if e["category"] == "address":
                forms[address_form(e["value"])] += 1
    table("address values by form (heuristic)", forms)
    dk = collections.Counter(e["kind"] for r in records for e in r["decoys"])
    table("decoys per kind", dk)
    table("decoys per placement", collections.Counter(e["placement"] for r in records for e in r["decoys"]))
    n_pii, n_dec = sum(cat.values()), sum(dk.values())
    stress = cat["address"] + cat["name"] + n_dec
    print("\nstress share (address + name + decoys) = %d / %d = %.1f%% of all labels" % (stress, n_pii + n_dec, 100.0 * stress / (n_pii + n_dec)))
    if failures:
        table("rejected drafts (regenerated)", failures)


if __name__ == "__main__":
    main()
