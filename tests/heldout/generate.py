#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""
Held-out evaluation corpus generator for the PII-detection reverse proxy.

Written from a brief only: the author never read the detector code, its rules
or its own test corpus.  Every payload is shaped after a PUBLISHED request /
response format of a Chinese payment, banking, eKYC, credit, insurance,
risk-control or logistics API.  All personal values are synthetic (valid
check digits, realistic prefixes and region codes, random otherwise).

Standard library only, deterministic (one random.Random(SEED)).
Run:  python3 tests/heldout/generate.py        -> tests/heldout/corpus.jsonl

--------------------------------------------------------------------------
SOURCES (API shape  <-  where its field names / nesting / wrapping come from)
--------------------------------------------------------------------------
unionpay_acp_realname_auth  <- github wayhi/scms public/upacp_demo_dg/demo/api_08_dg/Form_6_2_BackAuth.php
                               (customerInfo phoneNo/certifTp/certifId/customerNm, accNo, certId)
                               and public/upacp_demo_dg/sdk/acp_service.php getCustomerInfo():
                               base64_encode("{" . createLinkString(customerInfo) . "}")
unionpay_wtz_token_open     <- github wbwin/aft upacp_demo_wtz/demo/api_03_wtz/Form_6_2_FrontOpen.php
                               (txnType 79, tokenPayData {trId=..&tokenType=01}, customerInfo, encryptCertId)
alipay_user_certify         <- github alipay/alipay-sdk-net-all v3/docs/AlipayUserCertifyOpenApi.md,
                               smartwalle/alipay certify.go, opendocs alipay.user.certify.open.initialize
                               (biz_content JSON string: outer_order_no, biz_code, identity_param
                               {identity_type, cert_type, cert_name, cert_no, phone_no}, merchant_config)
alipay_fund_transfer        <- github lizhipay/acg-faka .../AlipayApp/Fund/UniTransfer/PayeeInfoParams.php,
                               DedeBIZ/DedeV6 src/system/sdks/_test/alipay-transfer-create.php
                               (out_biz_no, trans_amount, product_code, biz_scene, payee_info{identity,
                               identity_type, name}, order_title, remark, business_params)
alipay_trade_ext_user       <- github essensoft/paylink src/Essensoft.Paylink.Alipay/Domain/ExtUserInfo.cs,
                               justapnet/justap-server-sdk-go docs/V1ExtraAlipayExtUserInfo.md
                               (ext_user_info{name, mobile, cert_type, cert_no, min_age, fix_buyer,
                               need_check_info}, passback_params must be urlencoded, business_params string)
zhima_credit                <- github alipay/alipay-sdk-java-all .../domain/ZhimaAuthInfoAuthqueryModel.java
                               (identity_type=2, identity_param={"certType","name","certNo"} as a JSON
                               string inside biz_content), zhima.customer.certification.initialize
                               (docs.open.alipay.com/api_8), lusongcn/laravel5-zmxy README (zmop params=)
                               NOTE: the zhima.credit.antifraud.verify k=v field list is recalled, not
                               verified in the search corpus.
wechat_profitsharing        <- github wechatpay-apiv3/wechatpay-go docs/profitsharing/CreateOrderReceiver.md
                               (receivers[{type, account, name, amount, description}])
wechat_jsapi_prepay         <- github klover2/wechatpay-node-v3-ts docs/transactions_h5.md,
                               fxbin SceneInfo (payer_client_ip, device_id "013467007045764", store_info)
wechat_transfer_batch       <- github wechatpay-apiv3/wechatpay-go docs/payrollcard/TransferDetailInput.md,
                               xiaowei-007/paymentV2 src/_test/pay-v3-transfer.php
                               (transfer_detail_list[{out_detail_no, transfer_amount, transfer_remark,
                               openid, user_name}])
wechat_applyment            <- github TheNorthMemory/wechatpay-openapi src/V3/Applyment4sub/Applyment/_stub_.php,
                               wechatpay-im/website openapi/v2/applyment/micro/submit.md
                               (contact_info, subject_info, identity_info, bank_account_info, business_info)
tencent_faceid              <- tencentcloud.com/document/api/1061/79052 (ImageRecognitionV2: IdCard, Name,
                               ImageBase64), cloud.tencent.com/document/product/876/33560 (GetDetectInfo:
                               DetectInfo is a JSON string with Text{IdCard, Name, OcrAddress, OcrBirth ...})
aliyun_cloudauth            <- help.aliyun.com/document_detail/160546.html and 151909.htm (InitFaceVerify:
                               SceneId, OuterOrderNo, ProductCode, CertType, CertName, CertNo, MetaInfo JSON
                               string, Mobile, Ip, UserId, FaceContrastPicture), RPC form-encoded transport
baidu_ocr_idcard            <- blog.csdn.net/weixin_44016938/article/details/126171596 (aip.baidubce.com
                               /rest/2.0/ocr/v1/idcard, form image=<urlencoded base64>), github hugjlll/abcd
                               ai/ID.py (words_result['姓名']['words']), handy WordsResult (住址, 公民身份号码, 出生)
sf_express_order            <- github mr-xiaoyu/express-java-tools README.md (contactInfoList{contactType,
                               contact, tel, country, province, city, county, address}, cargoDetails),
                               SF sandbox sfapi-sbox.sf-express.com/std/service (partnerID, requestID,
                               serviceCode, timestamp, msgDigest, msgData as JSON text, form-encoded)
jd_ldop_waybill             <- seven_jd LdopWaybillReceiveRequest / EtmsWaybillSendRequest (senderName,
                               senderAddress, senderTel, senderMobile, receiveName, receiveAddress, province,
                               city, county, town ...), github baluwu/d3-task test/jos_api.js (param_json)
cainiao_waybill             <- github bububa/opentaobao model/cntms/CnTmsLogisticsOrderSenderinfo.go,
                               model/waybill/WaybillCloudPrintResponse.go (print_data is a JSON string),
                               github sinsy/sinsy.github.io public/js/test1.js (print cmd: receiverInfo,
                               orderInfo, shipperInfo, receiverFullAddress, buyerNick)
insurance_policy            <- github motleycecilia/pro src/mock/rc.js and src/mock/confim.js
                               (policyholdersInfo/insurerInfo applicantName, applicantCardNo, dateApplyBirth,
                               insurantInfoList insurantName, insurantIdno, insurantBirth, linkManInfo)
tencent_afc_antifraud       <- github TencentCloud/tencentcloud-sdk-python tencentcloud/afc/v20200226/models.py
                               (QueryAntiFraudVip: PhoneNumber, IdNumber, BankCardNumber, UserIp, Imei, Idfa,
                               Name, EmailAddress, Address, WifiMac, Mac ...), legacy csec AntiFraud doc
                               (phoneNumber "0086-15912345678", lower-camel query params)
shumei_risk_event           <- github ishumei/api-doc V4/交易风控_en.md (accessKey, appId, eventId,
                               data{tokenId, ip, timestamp, deviceId, os, appVersion, extra, passThrough})
bank_esb_payroll            <- bank ESB abbreviated-key style: github qiaobenlaing/coupon .../IcbcModel.class.php
                               (cardno, username, idtype, idno, mobilephone), github Zhang-Monica/gitMd
                               (SYS_HEAD envelope); abbreviations (cust_nm, acct_no, mbl_no, cert_no, brth_dt,
                               rcvr_addr, pspt_no, zjhm ...) are the ones named in the brief
epeis_customer_import       <- github Zhang-Monica/gitMd EpeisPlat/platDataTransfer/ImpCusInfoDataTrans.md
                               (SYS_HEAD, INOUT_IMPORT_CUS_INFO[CUSTOMER_NAME, MOBILE_PHONE_INFO, EMAIL_INFO,
                               CERTIFICATES_INFO, ADDRESS, TELEPHONE_INFO, BANK_ACCOUNT_INFO, BANK_NAME])
lianlian_risk_item          <- github huangpengpeng/jbp jbp-common/.../lianlian/params/RiskItemInfo.java
                               (risk_item JSON string: frms_ware_category, user_info_mercht_userno,
                               user_info_bind_phone, user_info_full_name, user_info_id_no, frms_ip_addr,
                               delivery_full_name, delivery_phone, delivery_addr_province/city)
loan_credit_apply           <- github confidentlzb/ApiBook order_info_reloan/README.md (user_base_info{name,
                               identification_no, mobile, email, company_name, company_address,
                               residence_address, birth_day YYYYMMDD}, identification_info, face_info,
                               contact_info, location_info, device_info)
huifu_quick_bind            <- dg_sdk (Huifu Dougong) V2QuickbuckleOnekeyCardbindRequest (req_seq_id,
                               req_date, huifu_id, out_cust_id, bank_id, card_name, cert_id, cert_type,
                               cert_end_date, card_mp, dc_type), huifurepo/bspay-php-sdk demos
                               NOTE: risk_check_data / terminal_device_data sub-fields are recalled, not
                               verified in the search corpus.
yeepay_realname             <- github navyxie/yeepay-realname README.md (FastRealNameAuth: customerId, busId,
                               name, idCardNumber, bankCode, bankCardNumber, hmac, and the GET command URL)
pingpp_withdrawal           <- github pingplusplus/pingpp-nodejs example/withdrawal/withdrawal_extra.js
                               (extra per channel: account, name, open_bank_code, open_bank, prov, city,
                               sub_bank, open_id, account_type)
"""

import base64
import collections
import datetime
import json
import os
import re
import random
import sys
import urllib.parse

# HELDOUT_SEED and HELDOUT_OUT draw another corpus of the same shapes elsewhere
# (a fresh seed reuses the vocabulary: a check of variance, not a new holdout).
SEED = int(os.environ.get("HELDOUT_SEED", "20240517"))
DOCS_PER_API = 100
EA_KEEP = 0.45
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.environ.get("HELDOUT_OUT") or os.path.join(HERE, "corpus.jsonl")

# ---------------------------------------------------------------------------
# SPLIT TABLE  (per API, half "tune", half "holdout")
# ---------------------------------------------------------------------------
SPLIT = {
    # api name                      split
    "unionpay_acp_realname_auth": "tune",
    "alipay_user_certify":        "tune",
    "wechat_profitsharing":       "tune",
    "tencent_faceid":             "tune",
    "baidu_ocr_idcard":           "tune",
    "sf_express_order":           "tune",
    "jd_ldop_waybill":            "tune",
    "insurance_policy":           "tune",
    "shumei_risk_event":          "tune",
    "bank_esb_payroll":           "tune",
    "lianlian_risk_item":         "tune",
    "yeepay_realname":            "tune",
    "pingpp_withdrawal":          "tune",

    "unionpay_wtz_token_open":    "holdout",
    "alipay_fund_transfer":       "holdout",
    "alipay_trade_ext_user":      "holdout",
    "zhima_credit":               "holdout",
    "wechat_jsapi_prepay":        "holdout",
    "wechat_transfer_batch":      "holdout",
    "wechat_applyment":           "holdout",
    "aliyun_cloudauth":           "holdout",
    "cainiao_waybill":            "holdout",
    "tencent_afc_antifraud":      "holdout",
    "loan_credit_apply":          "holdout",
    "huifu_quick_bind":           "holdout",
    "epeis_customer_import":      "holdout",
}

CATEGORIES = ["name", "id_number", "bank_card", "phone", "email", "ip", "passport",
              "birth_date", "address", "biometric", "device", "location"]
PLACEMENTS = ["plain", "number", "free_text", "json_in_string", "json_in_string_2",
              "ensure_ascii", "url_encoded", "base64_kv", "base64_json", "abbrev_key", "romanized"]

# ---------------------------------------------------------------------------
# value pools
# ---------------------------------------------------------------------------
SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
            ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("高", "Gao"),
            ("林", "Lin"), ("罗", "Luo"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
            ("唐", "Tang"), ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"),
            ("彭", "Peng"), ("曾", "Zeng"), ("肖", "Xiao"), ("田", "Tian"), ("董", "Dong"), ("袁", "Yuan"),
            ("潘", "Pan"), ("蒋", "Jiang"), ("蔡", "Cai"), ("余", "Yu"), ("杜", "Du"), ("叶", "Ye"),
            ("程", "Cheng"), ("苏", "Su"), ("魏", "Wei"), ("吕", "Lyu"), ("丁", "Ding"), ("任", "Ren"),
            ("沈", "Shen"), ("姚", "Yao"), ("卢", "Lu"), ("姜", "Jiang"), ("崔", "Cui"), ("钟", "Zhong"),
            ("谭", "Tan"), ("陆", "Lu"), ("汪", "Wang"), ("范", "Fan"), ("金", "Jin"), ("石", "Shi"),
            ("廖", "Liao"), ("贾", "Jia"), ("夏", "Xia"), ("韦", "Wei"), ("付", "Fu"), ("方", "Fang"),
            ("白", "Bai"), ("邹", "Zou"), ("孟", "Meng"), ("熊", "Xiong"), ("秦", "Qin"), ("邱", "Qiu"),
            ("尹", "Yin"), ("薛", "Xue"), ("闫", "Yan"), ("段", "Duan"), ("雷", "Lei"), ("侯", "Hou"),
            ("史", "Shi"), ("陶", "Tao"), ("黎", "Li"), ("贺", "He"), ("顾", "Gu"), ("毛", "Mao"),
            ("郝", "Hao"), ("龚", "Gong"), ("邵", "Shao"), ("覃", "Qin"), ("戴", "Dai"), ("莫", "Mo"),
            ("孔", "Kong"), ("汤", "Tang"), ("易", "Yi"), ("乔", "Qiao"), ("贝", "Bei"), ("牛", "Niu"),
            ("欧", "Ou"), ("闵", "Min"), ("柏", "Bai"), ("宁", "Ning")]
COMPOUND = [("欧阳", "Ouyang"), ("司马", "Sima"), ("上官", "Shangguan"), ("诸葛", "Zhuge"), ("东方", "Dongfang"),
            ("皇甫", "Huangfu"), ("尉迟", "Yuchi"), ("公孙", "Gongsun"), ("慕容", "Murong"), ("令狐", "Linghu"),
            ("长孙", "Zhangsun"), ("宇文", "Yuwen"), ("司徒", "Situ"), ("夏侯", "Xiahou"), ("端木", "Duanmu"),
            ("呼延", "Huyan"), ("独孤", "Dugu"), ("西门", "Ximen")]
GIVEN = [("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("丽", "Li"), ("强", "Qiang"),
         ("磊", "Lei"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"), ("艳", "Yan"), ("杰", "Jie"), ("娟", "Juan"),
         ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("秀", "Xiu"), ("霞", "Xia"), ("刚", "Gang"),
         ("桂", "Gui"), ("英", "Ying"), ("华", "Hua"), ("慧", "Hui"), ("建", "Jian"), ("文", "Wen"), ("辉", "Hui"),
         ("玉", "Yu"), ("兰", "Lan"), ("萍", "Ping"), ("红", "Hong"), ("梅", "Mei"), ("鹏", "Peng"), ("宇", "Yu"),
         ("浩", "Hao"), ("然", "Ran"), ("子", "Zi"), ("涵", "Han"), ("欣", "Xin"), ("怡", "Yi"), ("梓", "Zi"),
         ("轩", "Xuan"), ("博", "Bo"), ("思", "Si"), ("雨", "Yu"), ("泽", "Ze"), ("晨", "Chen"), ("嘉", "Jia"),
         ("琪", "Qi"), ("佳", "Jia"), ("雪", "Xue"), ("婷", "Ting"), ("晓", "Xiao"), ("峰", "Feng"),
         ("亮", "Liang"), ("志", "Zhi"), ("春", "Chun"), ("雅", "Ya"), ("诗", "Shi"), ("诺", "Nuo"),
         ("若", "Ruo"), ("瑶", "Yao"), ("俊", "Jun"), ("凯", "Kai"), ("昊", "Hao"), ("晴", "Qing"), ("睿", "Rui"),
         ("琳", "Lin"), ("颖", "Ying"), ("倩", "Qian"), ("丹", "Dan"), ("飞", "Fei"), ("斌", "Bin"), ("健", "Jian"),
         ("彬", "Bin"), ("帆", "Fan"), ("毅", "Yi"), ("岚", "Lan"), ("蕾", "Lei"), ("薇", "Wei"), ("莉", "Li"),
         ("乐", "Le"), ("心", "Xin"), ("语", "Yu"), ("奕", "Yi"), ("铭", "Ming"), ("立", "Li"), ("荣", "Rong"),
         ("永", "Yong"), ("庆", "Qing"), ("桐", "Tong"), ("楠", "Nan"), ("骁", "Xiao"), ("珂", "Ke")]
MINORITY = ["买买提", "艾力", "阿不都", "热依拉", "古丽娜尔", "努尔", "阿依古丽", "帕提古丽", "艾山", "吐尔逊",
            "热合曼", "米热古丽", "阿卜杜拉", "麦麦提", "依明", "如克亚", "阿迪力", "祖丽菲亚", "塔依尔", "吾买尔"]

# (province, city, district, streets, id region code, lat, lng)
ADDR_TABLE = [
    ("广东省", "深圳市", "南山区", ["科技南十二路", "深南大道", "南海大道", "学府路", "沙河西路", "高新南一道"], "440305", 22.533, 113.930),
    ("广东省", "深圳市", "福田区", ["福华三路", "益田路", "泰然九路", "华强北路"], "440304", 22.541, 114.055),
    ("广东省", "广州市", "天河区", ["天河路", "体育西路", "黄埔大道西", "华夏路"], "440106", 23.125, 113.361),
    ("广东省", "广州市", "海珠区", ["新港中路", "江南大道中"], "440105", 23.083, 113.317),
    ("北京市", "北京市", "朝阳区", ["建国路", "望京街", "朝阳北路", "东三环中路", "酒仙桥路"], "110105", 39.921, 116.443),
    ("北京市", "北京市", "海淀区", ["中关村大街", "学院路", "知春路", "上地十街"], "110108", 39.959, 116.298),
    ("上海市", "上海市", "浦东新区", ["世纪大道", "张杨路", "陆家嘴环路", "博云路"], "310115", 31.221, 121.544),
    ("上海市", "上海市", "徐汇区", ["漕溪北路", "肇嘉浜路", "虹桥路"], "310104", 31.188, 121.437),
    ("浙江省", "杭州市", "西湖区", ["文三路", "天目山路", "古墩路", "文一西路"], "330106", 30.259, 120.130),
    ("浙江省", "杭州市", "滨江区", ["网商路", "江汉路"], "330108", 30.208, 120.211),
    ("江苏省", "南京市", "鼓楼区", ["中山北路", "湖南路", "汉中门大街"], "320106", 32.066, 118.770),
    ("江苏省", "苏州市", "姑苏区", ["人民路", "干将西路"], "320508", 31.311, 120.618),
    ("四川省", "成都市", "武侯区", ["人民南路四段", "天府大道北段", "科华北路"], "510107", 30.642, 104.043),
    ("四川省", "成都市", "锦江区", ["春熙路", "东大街"], "510104", 30.657, 104.083),
    ("湖北省", "武汉市", "洪山区", ["珞喻路", "光谷大道", "雄楚大道"], "420111", 30.500, 114.343),
    ("陕西省", "西安市", "雁塔区", ["小寨东路", "科技路", "长安南路"], "610113", 34.213, 108.948),
    ("重庆市", "重庆市", "渝北区", ["金开大道", "新南路"], "500112", 29.718, 106.631),
    ("重庆市", "重庆市", "渝中区", ["民族路", "中山三路"], "500103", 29.553, 106.568),
    ("山东省", "青岛市", "市南区", ["香港中路", "东海西路"], "370202", 36.066, 120.383),
    ("山东省", "济南市", "历下区", ["经十路", "泉城路"], "370102", 36.666, 117.076),
    ("福建省", "厦门市", "思明区", ["湖滨南路", "莲前西路"], "350203", 24.446, 118.082),
    ("河南省", "郑州市", "金水区", ["花园路", "农业路"], "410105", 34.800, 113.660),
    ("湖南省", "长沙市", "岳麓区", ["麓山南路", "枫林三路"], "430104", 28.235, 112.931),
    ("天津市", "天津市", "和平区", ["南京路", "滨江道"], "120101", 39.117, 117.195),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", ["解放北路", "中山路"], "650102", 43.794, 87.631),
    ("广西壮族自治区", "南宁市", "青秀区", ["民族大道", "东葛路"], "450103", 22.816, 108.383),
    ("安徽省", "合肥市", "蜀山区", ["长江西路", "黄山路"], "340104", 31.851, 117.260),
    ("辽宁省", "大连市", "中山区", ["人民路", "友好路"], "210202", 38.918, 121.644),
    ("云南省", "昆明市", "五华区", ["东风西路", "翠湖南路"], "530102", 25.043, 102.706),
    ("河北省", "石家庄市", "长安区", ["中山东路", "建设北大街"], "130102", 38.047, 114.539),
]
EXTRA_REGION_CODES = ["110101", "310101", "440103", "440111", "330102", "320102", "510104", "420106",
                      "610103", "500106", "370203", "350206", "410102", "430103", "120103", "650103",
                      "450102", "340102", "210203", "530103", "130104", "220102", "230103", "150102",
                      "360102", "520102", "460105", "620102", "640104", "630102", "540102"]
ESTATES = ["华润城", "万科城", "碧桂园", "阳光花园", "翠苑小区", "保利香槟苑", "绿地中心", "金地名峰",
           "龙湖春江郦城", "招商依山郡", "融创壹号院", "恒大名都", "中海锦城", "世茂滨江花园", "天鹅湖小区",
           "桃源村", "望京西园四区", "SOHO现代城", "紫薇花园", "锦绣江南"]
MALLS = ["万象天地", "海岸城", "来福士广场", "大悦城", "银泰城", "太古里", "印象城", "吾悦广场"]

BANKS = [  # prefix, length, bank name
    ("622202", 19, "中国工商银行"), ("621226", 19, "中国工商银行"), ("621700", 19, "中国建设银行"),
    ("622700", 19, "中国建设银行"), ("436742", 16, "中国建设银行"), ("622848", 19, "中国农业银行"),
    ("621661", 19, "中国银行"), ("621483", 16, "招商银行"), ("622588", 16, "招商银行"),
    ("622575", 16, "招商银行"), ("439225", 16, "招商银行"), ("622260", 19, "交通银行"),
    ("621799", 19, "中国邮政储蓄银行"), ("622908", 18, "兴业银行"), ("622521", 16, "上海浦东发展银行"),
    ("625965", 16, "中国银联"), ("623058", 19, "平安银行"), ("621691", 19, "中国民生银行"),
]
BANK_CODES = {"中国工商银行": ("ICBC", "0102", "01020000"), "中国建设银行": ("CCB", "0105", "01050000"),
              "中国农业银行": ("ABC", "0103", "01030000"), "中国银行": ("BOC", "0104", "01040000"),
              "招商银行": ("CMB", "0308", "03080000"), "交通银行": ("BOCOM", "0301", "03010000"),
              "中国邮政储蓄银行": ("PSBC", "0403", "04030000"), "兴业银行": ("CIB", "0309", "03090000"),
              "上海浦东发展银行": ("SPDB", "0310", "03100000"), "中国银联": ("CUP", "0000", "00000000"),
              "平安银行": ("PAB", "0410", "04100000"), "中国民生银行": ("CMBC", "0305", "03050000")}
BRANCH_AREAS = ["科技园", "华强北", "车公庙", "望京", "中关村", "陆家嘴", "徐家汇", "西溪", "春熙路", "光谷",
                "小寨", "五四广场", "思明", "金水路", "岳麓山", "解放碑"]
SHOP_NAMES = ["深圳腾大-QQ公仔店", "Image形象店", "鲜丰水果(科技园店)", "瑞幸咖啡(深圳湾店)", "屈臣氏(万象城店)",
              "华润万家(南山店)", "喜茶(海岸城店)", "名创优品(宝龙店)", "便利蜂(望京店)", "罗森(徐家汇店)",
              "全家FamilyMart(陆家嘴店)", "盒马鲜生(西溪店)", "永辉超市(解放碑店)", "小米之家(春熙路店)",
              "海底捞火锅(五道口店)", "奈雪的茶(太古里店)", "7-ELEVEn(体育西店)", "百果园(光谷店)"]
ORG_NAMES = ["腾讯科技（深圳）有限公司", "上海拉扎斯信息科技有限公司", "北京三快在线科技有限公司",
             "杭州网易严选贸易有限公司", "广州唯品会电子商务有限公司", "深圳市丰巢科技有限公司",
             "北京京东世纪贸易有限公司", "浙江天猫技术有限公司", "深圳市云帆物流有限公司", "苏州优品贸易有限公司",
             "武汉斗鱼网络科技有限公司", "成都市锦程餐饮管理有限公司", "上海寻梦信息技术有限公司",
             "深圳市星河互动科技有限公司", "厦门美图网科技有限公司", "青岛海纳百川商贸有限公司",
             "南京云创数据服务有限公司", "杭州支点软件有限公司", "重庆山城乐购电子商务有限公司"]
INSURERS = ["中国平安财产保险股份有限公司", "众安在线财产保险股份有限公司", "泰康人寿保险有限责任公司",
            "中国人寿财产保险股份有限公司", "太平洋财产保险股份有限公司", "安华农业保险股份有限公司"]
INS_PRODUCTS = ["平安e生保", "尊享e生2024版", "旅行无忧境外意外险", "百万医疗险", "航班延误险", "手机碎屏险",
                "少儿重疾险", "驾乘意外险"]
PRODUCTS = ["iPhone 15 128G", "华为Mate60 Pro", "小米手环8", "美的电饭煲MB-FB40", "三只松鼠坚果礼盒",
            "洗衣液 3kg", "手机壳", "文件", "衣服", "图书《三体》", "咖啡豆 500g", "儿童书包", "蓝牙耳机",
            "月饼礼盒", "铁观音茶叶", "运动鞋", "充电宝 20000mAh", "保温杯", "会员月卡", "话费充值100元"]
NATIONS = ["汉", "汉", "汉", "汉", "汉", "回", "满", "壮", "维吾尔", "苗", "土家", "蒙古", "藏"]
EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com", "foxmail.com",
                 "139.com", "hotmail.com", "yeah.net", "aliyun.com", "sohu.com"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "150",
                   "151", "152", "153", "155", "156", "157", "158", "159", "166", "171", "173", "175", "176",
                   "177", "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191",
                   "193", "195", "198", "199"]
AREA_CODES = ["010", "021", "020", "022", "023", "0755", "0571", "025", "028", "027", "029", "0532", "0371",
              "0731", "0512", "0591", "0551", "0871"]
IPV4_FIRST = [14, 27, 36, 39, 42, 49, 58, 59, 60, 61, 101, 103, 106, 110, 111, 112, 113, 114, 115, 116, 117,
              118, 119, 120, 121, 122, 123, 124, 125, 139, 140, 153, 171, 175, 180, 182, 183, 202, 203, 210,
              211, 218, 219, 220, 221, 222, 223]
IPV6_PREFIX = ["240e", "2409", "2408", "240a"]
FOREIGN_PASSPORT = [("USA", "5", 8), ("GBR", "", 9), ("JPN", "TK", 7), ("KOR", "M", 8), ("DEU", "C", 8),
                    ("SGP", "K", 7), ("CAN", "HK", 6), ("AUS", "PA", 7)]


# ---------------------------------------------------------------------------
# check digits
# ---------------------------------------------------------------------------
def luhn_ok(s):
    tot = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return tot % 10 == 0


def luhn_complete(body):
    for c in "0123456789":
        if luhn_ok(body + c):
            return body + c
    raise AssertionError


ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_C = "10X98765432"


def id_check(body17):
    return ID_C[sum(int(a) * b for a, b in zip(body17, ID_W)) % 11]


def looks_like_valid_id(s):
    if len(s) != 18 or not s[:17].isdigit():
        return False
    return id_check(s[:17]) == s[17].upper()


MOBILE_RE = re.compile(r"1[3-9]\d{9}")


# ---------------------------------------------------------------------------
# generators of synthetic values
# ---------------------------------------------------------------------------
def digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def hexs(rng, n, upper=False):
    s = "".join(rng.choice("0123456789abcdef") for _ in range(n))
    return s.upper() if upper else s


def uuid_s(rng, upper=False):
    h = hexs(rng, 32)
    h = h[:12] + "4" + h[13:16] + rng.choice("89ab") + h[17:]
    s = "-".join([h[:8], h[8:12], h[12:16], h[16:20], h[20:]])
    return s.upper() if upper else s


def safe_digits(rng, n, prefix=""):
    """A digit string of length n that is NOT Luhn-valid, NOT a valid 18-digit ID and NOT a mobile."""
    while True:
        s = (prefix + digits(rng, n))[:n]
        if len(s) < n:
            s += digits(rng, n - len(s))
        if n >= 12 and luhn_ok(s):
            continue
        if n == 18 and looks_like_valid_id(s):
            continue
        if MOBILE_RE.search(s) and n == 11:
            continue
        return s


def rand_dt(rng, y0=2023, y1=2025):
    start = datetime.datetime(y0, 1, 1)
    end = datetime.datetime(y1, 6, 30)
    return start + datetime.timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))


def ts_str(rng):
    return rand_dt(rng).strftime("%Y-%m-%d %H:%M:%S")


def ts_compact(rng):
    return rand_dt(rng).strftime("%Y%m%d%H%M%S")


def ts_ms(rng):
    return str(int(rand_dt(rng).timestamp() * 1000) + rng.randint(0, 999))


def ts_iso(rng):
    return rand_dt(rng).strftime("%Y-%m-%dT%H:%M:%S+08:00")


def amount_yuan(rng):
    return "%.2f" % (rng.randint(100, 999999) / 100.0)


def b64_sig(rng, nbytes=48):
    return base64.b64encode(rng.randbytes(nbytes)).decode()


def openid(rng):
    return "o" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
                         for _ in range(27))


def make_mobile(rng):
    return rng.choice(MOBILE_PREFIXES) + digits(rng, 8)


def fmt_mobile(rng, m, style=None):
    style = style or rng.choices(["raw", "+86", "+86 sp", "+86-", "0086-", "dash", "sp"],
                                 [55, 12, 8, 6, 5, 8, 6])[0]
    if style == "raw":
        return m
    if style == "+86":
        return "+86" + m
    if style == "+86 sp":
        return "+86 %s %s %s" % (m[:3], m[3:7], m[7:])
    if style == "+86-":
        return "+86-" + m
    if style == "0086-":
        return "0086-" + m
    if style == "dash":
        return "%s-%s-%s" % (m[:3], m[3:7], m[7:])
    return "%s %s %s" % (m[:3], m[3:7], m[7:])


def make_landline(rng):
    ac = rng.choice(AREA_CODES)
    n = rng.choice("2345678") + digits(rng, 7 if len(ac) == 3 or rng.random() < 0.85 else 6)
    style = rng.random()
    if style < 0.75:
        return "%s-%s" % (ac, n)
    if style < 0.9:
        return "(%s)%s" % (ac, n)
    return ac + n


def make_card(rng):
    prefix, length, bank = rng.choice(BANKS)
    body = prefix + digits(rng, length - len(prefix) - 1)
    return luhn_complete(body), bank


def make_imei(rng):
    return luhn_complete(rng.choice(["86", "35", "86", "99"]) + digits(rng, 12))


def make_mac(rng):
    parts = [hexs(rng, 2) for _ in range(6)]
    st = rng.random()
    if st < 0.5:
        return ":".join(parts).upper()
    if st < 0.8:
        return ":".join(parts)
    return "-".join(parts).upper()


def make_android_id(rng):
    return hexs(rng, 16)


def make_ipv4(rng):
    while True:
        a = rng.choice(IPV4_FIRST)
        s = "%d.%d.%d.%d" % (a, rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
        return s


def make_ipv6(rng):
    groups = [rng.choice(IPV6_PREFIX)] + ["%x" % rng.randint(0, 0xffff) for _ in range(7)]
    return ":".join(groups)


def make_ip(rng):
    return make_ipv6(rng) if rng.random() < 0.22 else make_ipv4(rng)


def make_passport(rng, foreign=False):
    if foreign:
        country, pre, n = rng.choice(FOREIGN_PASSPORT)
        return pre + digits(rng, n), country
    st = rng.random()
    if st < 0.55:
        return "E" + digits(rng, 8), "CHN"
    if st < 0.85:
        return "E" + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + digits(rng, 7), "CHN"
    return "G" + digits(rng, 8), "CHN"


def coord(rng, lat0, lng0):
    lat = repr(float("%.6f" % (lat0 + rng.uniform(-0.06, 0.06))))
    lng = repr(float("%.6f" % (lng0 + rng.uniform(-0.06, 0.06))))
    return lat, lng


JPEG_HDR = bytes.fromhex("FFD8FFE000104A46494600010101004800480000FFDB0043000806060706050806070709090808"
                         "0A0C140D0C0B0B0C1912130F141D1A1F1E1D1A1C1C20242E2720222C231C1C2837292C30313434341F27")
PNG_HDR = bytes.fromhex("89504E470D0A1A0A0000000D49484452000001E0000002800802000000")
FMR_HDR = b"FMR\x00 20\x00\x00\x00\x01\x2c\x00\x00\x01\x00\x01\x68\x00\xc5\x00\xc5\x01\x00\x00\x00"


def make_image_b64(rng, kind=None):
    kind = kind or rng.choices(["jpeg", "png", "fmr"], [70, 20, 10])[0]
    hdr = {"jpeg": JPEG_HDR, "png": PNG_HDR, "fmr": FMR_HDR}[kind]
    tail = b"\xff\xd9" if kind == "jpeg" else (b"IEND\xaeB`\x82" if kind == "png" else b"")
    n = rng.randint(1545, 1640) - len(hdr) - len(tail)   # -> base64 text of 2060..2188 chars (> 2 KB)
    return base64.b64encode(hdr + rng.randbytes(n) + tail).decode()


def fmt_birth(bd, style):
    if style == "dash":
        return bd.strftime("%Y-%m-%d")
    if style == "compact":
        return bd.strftime("%Y%m%d")
    if style == "slash":
        return "%d/%d/%d" % (bd.year, bd.month, bd.day)
    if style == "slash0":
        return bd.strftime("%Y/%m/%d")
    if style == "cn":
        return "%d年%d月%d日" % (bd.year, bd.month, bd.day)
    if style == "dot":
        return bd.strftime("%Y.%m.%d")
    raise ValueError(style)


class Address:
    def __init__(self, rng, row=None):
        row = row or rng.choice(ADDR_TABLE)
        self.prov, self.city, self.dist, streets, self.region, self.lat0, self.lng0 = row
        self.town = None
        street = rng.choice(streets)
        num = "%d号" % rng.randint(1, 3999)
        self.street = street
        st = rng.random()
        if st < 0.45:
            bld = "%s%d栋%d单元%d室" % (rng.choice(ESTATES), rng.randint(1, 32), rng.randint(1, 6),
                                     rng.randint(1, 33) * 100 + rng.randint(1, 8))
        elif st < 0.65:
            bld = "%s%d号楼%d" % (rng.choice(ESTATES), rng.randint(1, 20), rng.randint(1, 28) * 100 + rng.randint(1, 6))
        elif st < 0.8:
            bld = "%s%s座%d室" % (rng.choice(ESTATES), rng.choice("ABCDE"), rng.randint(2, 40) * 100 + rng.randint(1, 20))
        elif st < 0.9:
            bld = "%s%d幢%d室" % (rng.choice(ESTATES), rng.randint(1, 18), rng.randint(1, 18) * 100 + rng.randint(1, 4))
        else:
            num = ""
            bld = "%d弄%d号%d室" % (rng.randint(1, 999), rng.randint(1, 80), rng.randint(1, 6) * 100 + rng.randint(1, 4))
        self.detail = street + num + bld
        muni = self.prov == self.city
        spaced = rng.random() < 0.1
        parts = ([self.prov] if not muni else [self.prov]) + ([] if muni else [self.city]) + [self.dist, self.detail]
        if rng.random() < 0.12 and not muni:
            parts = parts[1:]
        self.full = (" " if spaced else "").join(parts)


def store_address(rng):
    row = rng.choice(ADDR_TABLE)
    prov, city, dist, streets = row[0], row[1], row[2], row[3]
    return "%s%s%s%d号%sL%d层%d号铺" % (city, dist, rng.choice(streets), rng.randint(1, 9999), rng.choice(MALLS),
                                    rng.randint(1, 5), rng.randint(101, 599))


def police_of(addr):
    d = addr.dist[:-2] if addr.dist.endswith("新区") else addr.dist[:-1]
    return "%s公安局%s分局" % (addr.city, d)


class Person:
    def __init__(self, rng):
        r = rng.random()
        self.minority = False
        if r < 0.05:
            a, b = rng.sample(MINORITY, 2)
            self.cn = a + "·" + b
            self.sur_py = None
            self.given_py = None
            self.minority = True
        else:
            if r < 0.14:
                sur, spy = rng.choice(COMPOUND)
            else:
                sur, spy = rng.choice(SURNAMES)
            ng = 1 if (rng.random() < 0.35 or len(sur) == 2 and rng.random() < 0.5) else 2
            gs = [rng.choice(GIVEN) for _ in range(ng)]
            self.cn = sur + "".join(g[0] for g in gs)
            self.sur_py = spy
            self.given_py = "".join(g[1] for g in gs)
            self.given_py = self.given_py[0] + self.given_py[1:].lower()
        self.gender = rng.choice("MF")
        self.birth = datetime.date(1956, 1, 1) + datetime.timedelta(days=rng.randint(0, 18250))
        self.addr = Address(rng)
        region = self.addr.region if rng.random() < 0.6 else rng.choice(EXTRA_REGION_CODES)
        seq = rng.randint(0, 99) * 10 + rng.choice([1, 3, 5, 7, 9] if self.gender == "M" else [0, 2, 4, 6, 8])
        body = region + self.birth.strftime("%Y%m%d") + "%03d" % seq
        self.id = body + id_check(body)
        self.mobile = make_mobile(rng)
        if rng.random() < 0.35 or self.minority:
            self.email = "%d@%s" % (rng.randint(10000, 3999999999), rng.choice(["qq.com", "qq.com", "163.com", "139.com"]))
        else:
            local = (self.sur_py + self.given_py).lower()
            suffix = rng.choice(["", str(self.birth.year), str(self.birth.year)[2:], str(rng.randint(1, 999)),
                                 "_" + str(rng.randint(1, 99))])
            if rng.random() < 0.3:
                local = self.given_py.lower() + "." + self.sur_py.lower()
            self.email = "%s%s@%s" % (local, suffix, rng.choice(EMAIL_DOMAINS))

    @property
    def sex_cn(self):
        return "男" if self.gender == "M" else "女"

    def roman(self, rng, style=None):
        if self.minority:
            return None
        style = style or rng.choice(["UPPER", "Title", "GivenFirst", "SLASH"])
        if style == "UPPER":
            return "%s %s" % (self.sur_py.upper(), self.given_py.upper())
        if style == "Title":
            return "%s %s" % (self.sur_py, self.given_py)
        if style == "GivenFirst":
            return "%s %s" % (self.given_py, self.sur_py)
        return "%s/%s" % (self.sur_py.upper(), self.given_py.upper())


def bank_branch(rng, bank, city=None):
    city = city or rng.choice(["深圳", "北京", "上海", "广州", "杭州", "成都", "武汉", "西安", "南京"])
    return "%s%s分行%s支行" % (bank, city, rng.choice(BRANCH_AREAS))


def credit_code(rng):
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "91" + rng.choice(["4403", "1101", "3101", "3301", "4401", "5101"]) + "00" + "".join(
        rng.choice(chars) for _ in range(10))


# ---------------------------------------------------------------------------
# document model: placeholders + lazily rendered wrappers
# ---------------------------------------------------------------------------
PH_RE = re.compile("([\x00\x01])(\\d+)[\x00\x01]")


class Num:
    def __init__(self, ph, kind="int"):
        self.ph = ph
        self.kind = kind


class JS:
    """JSON text held inside a string field."""
    def __init__(self, obj, style="compact"):
        self.obj = obj
        self.style = style


class B64J:
    """base64 of a JSON text"""
    def __init__(self, obj):
        self.obj = obj


class B64KV:
    """base64 of k=v&k=v (optionally wrapped in braces, UnionPay style)"""
    def __init__(self, pairs, braces=True):
        self.pairs = pairs
        self.braces = braces


class URLQ:
    """k=v&k=v with percent-encoded values, optional prefix (URL)"""
    def __init__(self, pairs, prefix=""):
        self.pairs = pairs
        self.prefix = prefix


class Doc:
    def __init__(self, api, rng):
        self.api = api
        self.rng = rng
        self.slots = []      # (category, value, base_placement)
        self.placement = {}  # slot -> final placement
        self.decoys = []     # (kind, value)
        self.dplacement = {}
        self._ea = False

    # A generator asks for the whole-document \uXXXX / \/ encoding by setting ensure_ascii = True.
    # Only EA_KEEP of those requests are honoured (the rest stay as the API's plain form), which keeps
    # the ensure_ascii placement well above its minimum without letting it dominate the file size.
    @property
    def ensure_ascii(self):
        return self._ea

    @ensure_ascii.setter
    def ensure_ascii(self, v):
        self._ea = bool(v) and self.rng.random() < EA_KEEP

    def p(self, cat, value, base="plain"):
        assert cat in CATEGORIES, cat
        assert base in PLACEMENTS, base
        assert isinstance(value, str) and value, (cat, value)
        assert "\x00" not in value and "\x01" not in value, value
        idx = len(self.slots)
        self.slots.append((cat, value, base))
        return "\x00%d\x00" % idx

    def num(self, cat, value, kind="int"):
        return Num(self.p(cat, value, "number"), kind)

    def dec(self, kind, value):
        """register a non-personal value that must survive; returns its placeholder"""
        value = str(value)
        assert "\x00" not in value and "\x01" not in value, value
        idx = len(self.decoys)
        self.decoys.append((kind, value))
        return "\x01%d\x01" % idx

    # -- rendering --------------------------------------------------------
    def _placement_for(self, idx, ctx, decoy=False):
        """Placement precedence (most opaque first):
        base64_kv/base64_json > url_encoded > free_text > romanized > abbrev_key
        > json_in_string_2 > json_in_string > ensure_ascii > number > plain"""
        base = "plain" if decoy else self.slots[idx][2]
        b64 = [c for c in ctx if c in ("b64kv", "b64json")]
        if b64:
            return {"b64kv": "base64_kv", "b64json": "base64_json"}[b64[-1]]
        if "url" in ctx:
            return "url_encoded"
        if base in ("free_text", "romanized", "abbrev_key"):
            return base
        njs = ctx.count("js")
        if njs >= 2:
            return "json_in_string_2"
        if njs == 1:
            return "json_in_string"
        if self.ensure_ascii:
            return "ensure_ascii"
        return base

    def _subst(self, s, ctx, masked):
        def rep(m):
            idx = int(m.group(2))
            if m.group(1) == "\x01":
                if not masked and idx not in self.dplacement:
                    self.dplacement[idx] = self._placement_for(idx, ctx, decoy=True)
                return self.decoys[idx][1]
            if not masked and idx not in self.placement:
                self.placement[idx] = self._placement_for(idx, ctx)
            return "<MASKED>" if masked else self.slots[idx][1]
        return PH_RE.sub(rep, s)

    def render(self, node, ctx=(), masked=False):
        if isinstance(node, dict):
            return {k: self.render(v, ctx, masked) for k, v in node.items()}
        if isinstance(node, list):
            return [self.render(v, ctx, masked) for v in node]
        if isinstance(node, str):
            return self._subst(node, ctx, masked)
        if isinstance(node, Num):
            if masked and node.ph.startswith("\x00"):
                return 0
            v = self._subst(node.ph, ctx, masked)
            return float(v) if node.kind == "float" else int(v)
        if isinstance(node, JS):
            inner = self.render(node.obj, ctx + ("js",), masked)
            if node.style == "php":
                return json.dumps(inner, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
            if node.style == "spaced":
                return json.dumps(inner, ensure_ascii=False)
            return json.dumps(inner, ensure_ascii=False, separators=(",", ":"))
        if isinstance(node, B64J):
            inner = self.render(node.obj, ctx + ("b64json",), masked)
            return base64.b64encode(json.dumps(inner, ensure_ascii=False, separators=(",", ":")).encode()).decode()
        if isinstance(node, B64KV):
            parts = []
            for k, v in node.pairs:
                parts.append("%s=%s" % (k, self.render(v, ctx + ("b64kv",), masked)))
            s = "&".join(parts)
            if node.braces:
                s = "{" + s + "}"
            return base64.b64encode(s.encode()).decode()
        if isinstance(node, URLQ):
            parts = []
            for k, v in node.pairs:
                rv = self.render(v, ctx + ("url",), masked)
                if not isinstance(rv, str):
                    rv = json.dumps(rv)
                parts.append("%s=%s" % (k, urllib.parse.quote(rv, safe="")))
            return node.prefix + "&".join(parts)
        return node  # int, float, bool, None


def dump_outer(obj, rng, ensure_ascii):
    if ensure_ascii:
        seps = rng.choice([(",", ":"), (", ", ": ")])
        return json.dumps(obj, ensure_ascii=True, separators=seps).replace("/", "\\/")
    r = rng.random()
    if r < 0.82:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    if r < 0.97:
        return json.dumps(obj, ensure_ascii=False)
    return json.dumps(obj, ensure_ascii=False, indent=2)


def js_style(rng):
    return rng.choices(["compact", "php", "spaced"], [76, 12, 12])[0]


# ---------------------------------------------------------------------------
# free text helpers (names without a label word in most templates)
# ---------------------------------------------------------------------------
ZH_NAME_TEMPLATES_UNLABELED = [
    "转账给{n}", "由{n}代付", "{n}的5月工资", "付{n}货款", "帮{n}充值话费", "请转交{n}", "{n}报销差旅费",
    "代{n}缴纳物业费", "退款给{n}，订单已取消", "{n}预付定金", "给{n}的生日红包", "{n}团购拼单尾款",
    "代发{n}劳务费", "{n}还款", "替{n}支付学费", "{n}房租押金",
]
ZH_NAME_TEMPLATES_LABELED = [
    "联系人{n}", "收款人：{n}", "经办人{n}", "客户姓名 {n}", "持卡人:{n}",
]
EN_NAME_TEMPLATES = ["Refund to {n} for cancelled order", "Paid by {n} on behalf of the family",
                     "Salary May - {n}", "Reimbursement {n} travel", "Gift from {n}"]


def free_name(d, rng, person, roman_p=0.15):
    if rng.random() < roman_p and not person.minority:
        nm = d.p("name", person.roman(rng), "free_text")
        return rng.choice(EN_NAME_TEMPLATES).format(n=nm)
    tmpl = rng.choice(ZH_NAME_TEMPLATES_UNLABELED if rng.random() < 0.7 else ZH_NAME_TEMPLATES_LABELED)
    return tmpl.format(n=d.p("name", person.cn, "free_text"))


def free_contact(d, rng, person):
    """free text with a name and a phone, e.g. delivery remark"""
    ph = fmt_mobile(rng, person.mobile, rng.choice(["raw", "raw", "dash", "sp"]))
    t = rng.choice(["到了打电话{p}，{n}收", "{n} {p} 放门卫", "请联系{n}电话{p}", "{n}{p}，工作日送货",
                    "不在家放快递柜，{n} {p}", "call {p} before delivery", "送货前联系 {p}"])
    kw = {"p": d.p("phone", ph, "free_text")}
    if "{n}" in t:
        kw["n"] = d.p("name", person.cn, "free_text")
    return t.format(**kw)


# ---------------------------------------------------------------------------
# shared pieces
# ---------------------------------------------------------------------------
def alipay_common(d, rng, method):
    return {
        "app_id": d.dec("app_id", safe_digits(rng, 16, "20210031")),
        "method": method,
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": "RSA2",
        "timestamp": d.dec("timestamp", ts_str(rng)),
        "version": "1.0",
    }


# ===========================================================================
# API generators.  Each returns the payload tree.  `wrapped` selects the
# wrapped family of variants for that API.
# ===========================================================================
def g_unionpay_acp(d, rng, wrapped):
    p = Person(rng)
    card, bank = make_card(rng)
    ci = [("certifTp", "01"), ("certifId", d.p("id_number", p.id)), ("customerNm", d.p("name", p.cn))]
    if rng.random() < 0.85:
        ci.append(("phoneNo", d.p("phone", p.mobile)))
    if rng.random() < 0.3:
        ci.append(("smsCode", "111111"))
    rng.shuffle(ci)
    txn = rng.choice([("72", "01", "000501"), ("01", "01", "000201"), ("79", "00", "000301")])
    fields = [
        ("version", "5.1.0"), ("encoding", "UTF-8"), ("signMethod", "01"),
        ("txnType", txn[0]), ("txnSubType", txn[1]), ("bizType", txn[2]),
        ("accessType", "0"), ("channelType", rng.choice(["07", "08"])),
        ("merId", d.dec("merchant_id", safe_digits(rng, 15, "7772900"))),
        ("orderId", d.dec("order_no", safe_digits(rng, 19, ts_compact(rng)[:8]))),
        ("txnTime", d.dec("timestamp", ts_compact(rng))),
        ("accType", "01"),
        ("accNo", d.num("bank_card", card) if (rng.random() < 0.2 and not wrapped) else d.p("bank_card", card)),
        ("customerInfo", B64KV(ci, braces=True)),
        ("certId", d.dec("cert_serial", safe_digits(rng, 11, "6875"))),
        ("encryptCertId", d.dec("cert_serial", safe_digits(rng, 11, "6904"))),
        ("backUrl", d.dec("notify_url", "https://pay.%s.com/unionpay/notify" % rng.choice(["shop", "mall", "acme"]))),
    ]
    if txn[0] == "01":
        fields.insert(9, ("txnAmt", d.dec("amount", str(rng.randint(100, 999999)))))
        fields.insert(10, ("currencyCode", "156"))
    if rng.random() < 0.5:
        fields.append(("riskRateInfo", "{commodityName=%s}" % d.dec("product_name", rng.choice(PRODUCTS))))
    fields.append(("signature", d.dec("sign", b64_sig(rng))))
    if wrapped and rng.random() < 0.6:
        return {"gateway": "https://gateway.95516.com/gateway/api/backTransReq.do",
                "method": "POST",
                "contentType": "application/x-www-form-urlencoded;charset=UTF-8",
                "body": URLQ(fields)}
    if wrapped:
        d.ensure_ascii = True
    return dict(fields)


def g_unionpay_wtz(d, rng, wrapped):
    p = Person(rng)
    card, bank = make_card(rng)
    ci = [("phoneNo", d.p("phone", p.mobile)), ("certifTp", "01"), ("certifId", d.p("id_number", p.id)),
          ("customerNm", d.p("name", p.cn))]
    if rng.random() < 0.4:
        ci.append(("smsCode", "%06d" % rng.randint(0, 999999)))
    trid = "620000000%02d" % rng.randint(10, 99)
    fields = [
        ("version", "5.1.0"), ("encoding", "utf-8"), ("signMethod", "01"), ("txnType", "79"), ("txnSubType", "00"),
        ("bizType", "000902"), ("accessType", "0"), ("channelType", "07"),
        ("encryptCertId", d.dec("cert_serial", safe_digits(rng, 11, "6904"))),
        ("frontUrl", "https://m.%s.cn/card/bind/return" % rng.choice(["yougou", "leshop", "hema"])),
        ("backUrl", d.dec("notify_url", "https://api.%s.cn/unionpay/open/notify" % rng.choice(["yougou", "leshop"]))),
        ("merId", d.dec("merchant_id", safe_digits(rng, 15, "8984"))),
        ("orderId", d.dec("order_no", safe_digits(rng, 16, "2024"))),
        ("txnTime", d.dec("timestamp", ts_compact(rng))),
        ("tokenPayData", "{trId=%s&tokenType=01}" % d.dec("token_requestor_id", trid)),
        ("accNo", d.p("bank_card", card)),
        ("customerInfo", B64KV(ci, braces=True)),
        ("reqReserved", d.dec("order_no", "bind-" + safe_digits(rng, 12, "9"))),
        ("certId", d.dec("cert_serial", safe_digits(rng, rng.choice([11, 12, 20]), "69"))),
        ("signature", d.dec("sign", b64_sig(rng))),
    ]
    if wrapped and rng.random() < 0.6:
        return {"acpUrl": "https://gateway.95516.com/gateway/api/frontTransReq.do",
                "form": URLQ(fields), "bankName": d.dec("bank_name", bank)}
    if wrapped:
        d.ensure_ascii = True
    out = dict(fields)
    out["issInsName"] = d.dec("bank_name", bank)
    return out


def g_alipay_certify(d, rng, wrapped):
    p = Person(rng)
    passport = rng.random() < 0.3
    ip = {"identity_type": "CERT_INFO",
          "cert_type": "PASSPORT" if passport else "IDENTITY_CARD"}
    if passport and rng.random() < 0.5:
        ip["cert_name"] = d.p("name", p.roman(rng, "UPPER"), "romanized") if not p.minority else d.p("name", p.cn)
    else:
        ip["cert_name"] = d.p("name", p.cn)
    ip["cert_no"] = d.p("passport", make_passport(rng)[0]) if passport else d.p("id_number", p.id)
    if rng.random() < 0.55:
        ip["phone_no"] = d.p("phone", p.mobile)
    biz = {"outer_order_no": d.dec("order_no", "ZGYD" + safe_digits(rng, 21, "2024")),
           "biz_code": rng.choice(["FACE", "CERT_PHOTO", "CERT_PHOTO_FACE", "SMART_FACE"]),
           "identity_param": ip,
           "merchant_config": {"return_url": d.dec("notify_url", "https://m.%s.com/alipay/certify/back" %
                                                  rng.choice(["lease", "rent", "finance", "bike"]))}}
    common = alipay_common(d, rng, "alipay.user.certify.open.initialize")
    mode = rng.random()
    if not wrapped:
        if mode < 0.45:
            return biz   # v3 JSON body, /v3/alipay/user/certify/open/initialize
        common["biz_content"] = JS(biz, js_style(rng))
        common["sign"] = d.dec("sign", b64_sig(rng))
        return common
    if mode < 0.45:
        biz["identity_param"] = JS(ip, "compact")   # identity_param sent as a JSON string inside biz_content
        common["biz_content"] = JS(biz, js_style(rng))
        common["sign"] = d.dec("sign", b64_sig(rng))
        return common
    if mode < 0.75:
        pairs = list(common.items()) + [("biz_content", JS(biz, "compact")), ("sign", d.dec("sign", b64_sig(rng)))]
        return {"redirect_url": URLQ(pairs, prefix="https://openapi.alipay.com/gateway.do?")}
    d.ensure_ascii = True
    common["biz_content"] = JS(biz, "compact")
    common["sign"] = d.dec("sign", b64_sig(rng))
    return common


def g_alipay_transfer(d, rng, wrapped):
    p = Person(rng)
    kind = rng.choice(["logon_email", "logon_phone", "bankcard", "userid"])
    payee = {}
    biz = {"out_biz_no": d.dec("order_no", safe_digits(rng, 18, "2024")),
           "trans_amount": d.dec("amount", amount_yuan(rng)),
           "biz_scene": "DIRECT_TRANSFER",
           "order_title": d.dec("product_name", rng.choice(["佣金发放", "用户提现", "活动奖励", "报销款", "退款"]))}
    if kind == "bankcard":
        card, bank = make_card(rng)
        biz["product_code"] = "TRANS_BANKCARD_NO_PWD"
        payee = {"identity": d.p("bank_card", card), "identity_type": "BANKCARD_ACCOUNT",
                 "name": d.p("name", p.cn),
                 "bankcard_ext_info": {"inst_name": d.dec("bank_name", bank), "account_type": "2",
                                       "inst_province": d.dec("place", p.addr.prov),
                                       "inst_city": d.dec("place", p.addr.city),
                                       "inst_branch_name": d.dec("bank_name", bank_branch(rng, bank))}}
    else:
        biz["product_code"] = "TRANS_ACCOUNT_NO_PWD"
        if kind == "logon_email":
            payee = {"identity": d.p("email", p.email), "identity_type": "ALIPAY_LOGON_ID", "name": d.p("name", p.cn)}
        elif kind == "logon_phone":
            payee = {"identity": d.p("phone", p.mobile), "identity_type": "ALIPAY_LOGON_ID", "name": d.p("name", p.cn)}
        else:
            payee = {"identity": "2088" + digits(rng, 12), "identity_type": "ALIPAY_USER_ID"}
            if rng.random() < 0.6:
                payee["name"] = d.p("name", p.cn)
    biz["payee_info"] = payee
    if rng.random() < 0.6:
        biz["remark"] = free_name(d, rng, p)
    bp = {"payer_show_name_use_alias": "true", "payer_show_name": d.dec("org_name", rng.choice(ORG_NAMES))}
    common = alipay_common(d, rng, "alipay.fund.trans.uni.transfer")
    if not wrapped:
        if rng.random() < 0.4:
            biz["business_params"] = bp
            return biz
        biz["business_params"] = JS(bp, "compact")
        common["biz_content"] = JS(biz, js_style(rng))
        common["sign"] = d.dec("sign", b64_sig(rng))
        return common
    if rng.random() < 0.5:
        d.ensure_ascii = True
        biz["business_params"] = JS(bp, "compact")
        return biz
    biz["business_params"] = JS(bp, "php")
    common["biz_content"] = JS(biz, "php")     # PHP json_encode(): \uXXXX and \/ inside the string
    common["sign"] = d.dec("sign", b64_sig(rng))
    return common


def g_alipay_trade(d, rng, wrapped):
    p = Person(rng)
    passport = rng.random() < 0.3
    method = rng.choice(["alipay.trade.page.pay", "alipay.trade.wap.pay", "alipay.trade.app.pay", "alipay.trade.create"])
    prod = rng.choice(PRODUCTS)
    eui = {"name": (d.p("name", p.roman(rng, rng.choice(["UPPER", "Title"])), "romanized")
                    if passport and not p.minority else d.p("name", p.cn)),
           "cert_type": "PASSPORT" if passport else "IDENTITY_CARD",
           "cert_no": d.p("passport", make_passport(rng, foreign=rng.random() < 0.3)[0]) if passport
           else d.p("id_number", p.id),
           "min_age": "18", "fix_buyer": rng.choice(["T", "F"]), "need_check_info": "T"}
    if rng.random() < 0.6:
        eui["mobile"] = d.p("phone", p.mobile)
    biz = {"out_trade_no": d.dec("order_no", safe_digits(rng, 17, "2024")),
           "total_amount": d.dec("amount", amount_yuan(rng)),
           "subject": d.dec("product_name", prod),
           "product_code": {"alipay.trade.page.pay": "FAST_INSTANT_TRADE_PAY", "alipay.trade.wap.pay": "QUICK_WAP_WAY",
                            "alipay.trade.app.pay": "QUICK_MSECURITY_PAY", "alipay.trade.create": "FACE_TO_FACE_PAYMENT"}[method],
           "timeout_express": "90m",
           "ext_user_info": eui,
           "goods_detail": [{"goods_id": "apple-01", "goods_name": prod, "quantity": 1,
                             "price": amount_yuan(rng)}],
           "extend_params": {"sys_service_provider_id": d.dec("merchant_id", safe_digits(rng, 16, "2088"))}}
    if method == "alipay.trade.create" and rng.random() < 0.5:
        biz["buyer_logon_id"] = d.p("email", p.email) if rng.random() < 0.5 else d.p("phone", p.mobile)
    if rng.random() < 0.45:
        biz["passback_params"] = URLQ([("merchantBizType", "3C"), ("uid", "U" + digits(rng, 8)),
                                       ("buyer_mobile", d.p("phone", fmt_mobile(rng, make_mobile(rng), "raw")))])
    if rng.random() < 0.5:
        biz["business_params"] = JS({"mc_create_trade_ip": d.p("ip", make_ip(rng))}, "compact")
    common = alipay_common(d, rng, method)
    common["notify_url"] = d.dec("notify_url", "https://api.%s.com/alipay/notify" % rng.choice(["shop", "mall"]))
    if not wrapped:
        common["biz_content"] = JS(biz, js_style(rng))
        common["sign"] = d.dec("sign", b64_sig(rng))
        return common
    if rng.random() < 0.55:
        pairs = list(common.items()) + [("biz_content", JS(biz, "compact")), ("sign", d.dec("sign", b64_sig(rng)))]
        return {"form_action": URLQ(pairs, prefix="https://openapi.alipay.com/gateway.do?"), "target": "_self"}
    d.ensure_ascii = True
    common["biz_content"] = JS(biz, "compact")
    common["sign"] = d.dec("sign", b64_sig(rng))
    return common


def g_zhima(d, rng, wrapped):
    p = Person(rng)
    common = alipay_common(d, rng, "")
    if not wrapped:
        if rng.random() < 0.5:
            common["method"] = "zhima.auth.info.authquery"
            ip = {"certType": "IDENTITY_CARD", "name": d.p("name", p.cn), "certNo": d.p("id_number", p.id)}
            biz = {"identity_type": "2", "identity_param": JS(ip, "compact"), "auth_category": "C2B"}
        else:
            common["method"] = "zhima.customer.certification.initialize"
            ip = {"identity_type": "CERT_INFO", "cert_type": "IDENTITY_CARD", "cert_name": d.p("name", p.cn),
                  "cert_no": d.p("id_number", p.id)}
            biz = {"transaction_id": d.dec("trade_no", "ZGYD" + safe_digits(rng, 26, "2024")),
                   "product_code": "w1010100000000002978", "biz_code": "FACE",
                   "identity_param": JS(ip, "compact"), "merchant_config": "{}", "ext_biz_param": "{}",
                   "linked_merchant_id": d.dec("merchant_id", safe_digits(rng, 16, "2088"))}
        if rng.random() < 0.4:
            return {"biz": biz, "channel": "zmop"}  # SDK model before serialisation: identity_param is a string
        common["biz_content"] = JS(biz, js_style(rng))
        common["sign"] = d.dec("sign", b64_sig(rng))
        return common
    if rng.random() < 0.6:
        # zhima.credit.antifraud.verify via the zmop gateway; params as k=v (recalled field list)
        card, bank = make_card(rng)
        pairs = [("product_code", "w1010100000000002859"),
                 ("transaction_id", d.dec("trade_no", safe_digits(rng, 30, "2024"))),
                 ("cert_type", "IDENTITY_CARD"), ("cert_no", d.p("id_number", p.id)), ("name", d.p("name", p.cn)),
                 ("mobile", d.p("phone", p.mobile))]
        if rng.random() < 0.6:
            pairs.append(("email", d.p("email", p.email)))
        if rng.random() < 0.6:
            pairs.append(("bank_card", d.p("bank_card", card)))
        if rng.random() < 0.6:
            pairs.append(("address", d.p("address", p.addr.full)))
        pairs.append(("ip", d.p("ip", make_ip(rng))))
        if rng.random() < 0.5:
            pairs.append(("mac", d.p("device", make_mac(rng))))
        if rng.random() < 0.5:
            pairs.append(("imei", d.p("device", make_imei(rng))))
        return {"app_id": d.dec("app_id", safe_digits(rng, 7, "100")), "charset": "UTF-8",
                "method": "zhima.credit.antifraud.verify", "platform": "zmop", "version": "1.0",
                "params": URLQ(pairs), "sign": d.dec("sign", b64_sig(rng))}
    d.ensure_ascii = True
    common["method"] = "zhima.auth.info.authquery"
    ip = {"certType": "IDENTITY_CARD", "name": d.p("name", p.cn), "certNo": d.p("id_number", p.id)}
    common["biz_content"] = JS({"identity_type": "2", "identity_param": JS(ip, "compact"), "auth_category": "C2B"},
                               "compact")
    return common


def g_wx_profitsharing(d, rng, wrapped):
    appid = d.dec("app_id", "wx" + hexs(rng, 16))
    if rng.random() < 0.3:
        p = Person(rng)
        doc = {"appid": appid, "type": "PERSONAL_OPENID", "account": openid(rng),
               "name": d.p("name", p.cn), "relation_type": rng.choice(["STAFF", "PARTNER", "DISTRIBUTOR", "USER"])}
        if rng.random() < 0.4:
            doc["custom_relation"] = d.dec("org_name", rng.choice(ORG_NAMES))
    else:
        receivers = []
        for j in range(rng.choice([1, 1, 2, 2, 3])):
            if j == 0 or rng.random() < 0.5:
                p = Person(rng)
                r = {"type": "PERSONAL_OPENID", "account": openid(rng), "amount": rng.randint(10, 50000)}
                if rng.random() < 0.8:
                    r["name"] = d.p("name", p.cn)
                r["description"] = free_name(d, rng, p) if rng.random() < 0.5 else "分给个人"
            else:
                r = {"type": "MERCHANT_ID", "account": d.dec("merchant_id", safe_digits(rng, 10, "19")),
                     "name": d.dec("org_name", rng.choice(ORG_NAMES)), "amount": rng.randint(10, 50000),
                     "description": "分给商户"}
            receivers.append(r)
        doc = {"appid": appid,
               "sub_mchid": d.dec("merchant_id", safe_digits(rng, 10, "16")),
               "transaction_id": d.dec("trade_no", safe_digits(rng, 28, "4200")),
               "out_order_no": d.dec("order_no", "P" + safe_digits(rng, 14, "2024")),
               "receivers": receivers,
               "unfreeze_unsplit": rng.choice([True, False])}
    if wrapped and rng.random() < 0.45:
        d.ensure_ascii = True
    return doc


def g_wx_jsapi(d, rng, wrapped):
    p = Person(rng)
    prod = rng.choice(PRODUCTS)
    doc = {"appid": d.dec("app_id", "wx" + hexs(rng, 16)),
           "mchid": d.dec("merchant_id", safe_digits(rng, 10, "15")),
           "description": d.dec("product_name", "%s-%s" % (rng.choice(SHOP_NAMES), prod)),
           "out_trade_no": d.dec("order_no", safe_digits(rng, 20, "2024")),
           "time_expire": ts_iso(rng),
           "notify_url": d.dec("notify_url", "https://www.weixin.qq.com/wxpay/pay.php"),
           "amount": {"total": rng.randint(1, 99999), "currency": "CNY"},
           "payer": {"openid": openid(rng)}}
    r = rng.random()
    if r < 0.45:
        att = {"uid": "U" + digits(rng, 7), "receiver": d.p("name", p.cn), "mobile": d.p("phone", p.mobile)}
        if rng.random() < 0.4:
            att["addr"] = d.p("address", p.addr.full)
        doc["attach"] = JS(att, "compact")
    elif r < 0.75:
        doc["attach"] = free_contact(d, rng, p)
    scene = {"payer_client_ip": d.p("ip", make_ip(rng))}
    if rng.random() < 0.6:
        scene["device_id"] = d.dec("terminal_id", safe_digits(rng, 15, "0134"))
    if rng.random() < 0.6:
        scene["store_info"] = {"id": "0001", "name": d.dec("shop_name", rng.choice(SHOP_NAMES)),
                               "area_code": "440305", "address": d.dec("store_address", store_address(rng))}
    else:
        scene["h5_info"] = {"type": "Wap", "app_name": d.dec("shop_name", rng.choice(SHOP_NAMES)),
                            "app_url": "https://m.%s.com" % rng.choice(["leshop", "yougou", "fresh"])}
    doc["scene_info"] = scene
    doc["settle_info"] = {"profit_sharing": rng.choice([True, False])}
    if wrapped and rng.random() < 0.45:
        d.ensure_ascii = True
    return doc


def g_wx_transfer(d, rng, wrapped):
    appid = d.dec("app_id", "wx" + hexs(rng, 16))
    if rng.random() < 0.35:
        p = Person(rng)
        doc = {"appid": appid, "out_bill_no": d.dec("order_no", "plfk" + safe_digits(rng, 16, "2024")),
               "transfer_scene_id": "1000", "openid": openid(rng), "user_name": d.p("name", p.cn),
               "transfer_amount": rng.randint(30, 200000),
               "transfer_remark": free_name(d, rng, p) if rng.random() < 0.6 else "新会员开通有礼",
               "notify_url": d.dec("notify_url", "https://www.%s.com/wxpay/transfer/notify" % rng.choice(["acme", "weixin"])),
               "user_recv_perception": "现金奖励",
               "transfer_scene_report_infos": [{"info_type": "活动名称", "info_content": "新会员有礼"},
                                               {"info_type": "奖励说明", "info_content": "注册会员抽奖一等奖"}]}
    else:
        details = []
        total = 0
        for _ in range(rng.choice([1, 1, 2])):
            p = Person(rng)
            amt = rng.randint(30, 500000)
            total += amt
            det = {"out_detail_no": d.dec("order_no", "x23zy" + safe_digits(rng, 11, "5")),
                   "transfer_amount": amt,
                   "transfer_remark": free_name(d, rng, p) if rng.random() < 0.5 else "2024年4月报销",
                   "openid": openid(rng)}
            if rng.random() < 0.85:
                det["user_name"] = d.p("name", p.cn)
            details.append(det)
        doc = {"appid": appid, "out_batch_no": d.dec("order_no", "plfk" + safe_digits(rng, 10, "2024")),
               "batch_name": d.dec("product_name", rng.choice(["2024年1月深圳分部报销单", "五月佣金发放", "用户提现"])),
               "batch_remark": "报销/佣金", "total_amount": total, "total_num": len(details),
               "transfer_detail_list": details, "transfer_scene_id": "1001"}
    if wrapped and rng.random() < 0.45:
        d.ensure_ascii = True
    return doc


def g_wx_applyment(d, rng, wrapped):
    p = Person(rng)
    legal = p if rng.random() < 0.7 else Person(rng)
    passport = rng.random() < 0.3
    card, bank = make_card(rng)
    org = rng.choice(ORG_NAMES)
    doc = {"business_code": d.dec("order_no", "1900013511_" + safe_digits(rng, 5, "1")),
           "contact_info": {"contact_type": "LEGAL", "contact_name": d.p("name", p.cn),
                            "contact_id_doc_type": "IDENTIFICATION_TYPE_IDCARD",
                            "contact_id_number": d.p("id_number", p.id),
                            "mobile_phone": d.p("phone", p.mobile),
                            "contact_email": d.p("email", p.email)},
           "subject_info": {"subject_type": "SUBJECT_TYPE_INDIVIDUAL",
                            "business_license_info": {"license_copy": "47ZC6GC-vnrbEny__Ie_An5-tCpqxucuxi-vByf3Gjm7",
                                                      "license_number": d.dec("credit_code", credit_code(rng)),
                                                      "merchant_name": d.dec("org_name", org),
                                                      "legal_person": d.p("name", legal.cn),
                                                      "company_address": d.dec("store_address", store_address(rng))}},
           "business_info": {"merchant_shortname": d.dec("shop_name", rng.choice(SHOP_NAMES)),
                             "service_phone": d.dec("service_hotline", rng.choice(["4008205555", "95533", "4006-888-666", "0755-86013388"]))},
           "bank_account_info": {"bank_account_type": "BANK_ACCOUNT_TYPE_PERSONAL",
                                 "account_name": d.p("name", legal.cn),
                                 "account_bank": d.dec("bank_name", bank),
                                 "bank_address_code": "110000",
                                 "bank_name": d.dec("bank_name", bank_branch(rng, bank)),
                                 "account_number": d.p("bank_card", card)}}
    if passport:
        ppn, _ = make_passport(rng, foreign=rng.random() < 0.5)
        nm = legal.roman(rng, rng.choice(["UPPER", "Title", "SLASH"])) if not legal.minority else None
        doc["identity_info"] = {"id_doc_type": "IDENTIFICATION_TYPE_OVERSEA_PASSPORT", "owner": True,
                                "id_doc_info": {"id_doc_name": d.p("name", nm, "romanized") if nm else d.p("name", legal.cn),
                                                "id_doc_number": d.p("passport", ppn),
                                                "id_doc_address": d.p("address", legal.addr.full),
                                                "doc_period_begin": "2019-06-06", "doc_period_end": "2029-06-05"}}
    else:
        doc["identity_info"] = {"id_doc_type": "IDENTIFICATION_TYPE_IDCARD", "owner": True,
                                "id_card_info": {"id_card_copy": "jTpGmxUX3FBWVQ5NJTZvlKX_gdU4cRz7z5Nxpn",
                                                 "id_card_name": d.p("name", legal.cn),
                                                 "id_card_number": d.p("id_number", legal.id),
                                                 "id_card_address": d.p("address", legal.addr.full),
                                                 "card_period_begin": "2016-06-06", "card_period_end": "2036-06-06"}}
    if wrapped and rng.random() < 0.45:
        d.ensure_ascii = True
    return doc


def g_tencent_faceid(d, rng, wrapped):
    p = Person(rng)
    if not wrapped:
        if rng.random() < 0.42:
            doc = {"IdCard": d.p("id_number", p.id), "Name": d.p("name", p.cn),
                   "ImageBase64": d.p("biometric", make_image_b64(rng, "jpeg"))}
            if rng.random() < 0.3:
                doc["Optional"] = ""
            return doc
        doc = {"RuleId": "0", "IdCard": d.p("id_number", p.id), "Name": d.p("name", p.cn),
               "RedirectUrl": d.dec("notify_url", "https://m.%s.com/faceid/callback" % rng.choice(["loan", "bank"])),
               "Extra": d.dec("order_no", "order-" + safe_digits(rng, 12, "2")),
               "Encryption": None}
        if rng.random() < 0.25:
            doc["ImageBase64"] = d.p("biometric", make_image_b64(rng, "jpeg"))
        return doc
    if rng.random() < 0.75:
        lat, lng = coord(rng, p.addr.lat0, p.addr.lng0)
        text = {"ErrCode": 0, "IdCard": d.p("id_number", p.id), "Name": d.p("name", p.cn),
                "OcrNation": rng.choice(NATIONS), "OcrAddress": d.p("address", p.addr.full),
                "OcrBirth": d.p("birth_date", fmt_birth(p.birth, rng.choice(["slash", "slash0"]))),
                "OcrAuthority": d.dec("org_name", police_of(p.addr)),
                "OcrValidDate": d.dec("valid_period", "2016.07.01-2036.07.01"),
                "OcrName": d.p("name", p.cn), "OcrIdCard": d.p("id_number", p.id), "OcrGender": p.sex_cn,
                "LiveStatus": 0, "Comparestatus": 0,
                "Sim": "%.2f" % rng.uniform(70, 99), "Location": None, "Mobile": d.p("phone", p.mobile)}
        if rng.random() < 0.5:
            text["Location"] = d.p("location", "%s,%s" % (lat, lng))
        info = {"Text": text}
        if rng.random() < 0.55:
            info["BestFrame"] = {"BestFrame": d.p("biometric", make_image_b64(rng, "jpeg"))}
        return {"Response": {"DetectInfo": JS(info, rng.choice(["compact", "compact", "spaced"])),
                             "RequestId": d.dec("request_id", uuid_s(rng))}}
    d.ensure_ascii = True
    return {"IdCard": d.p("id_number", p.id), "Name": d.p("name", p.cn),
            "ImageBase64": d.p("biometric", make_image_b64(rng, "jpeg"))}


def g_aliyun(d, rng, wrapped):
    p = Person(rng)
    ios = rng.random() < 0.45
    meta = {"zimVer": "3.0.0", "appVersion": "1", "bioMetaInfo": "4.1.0:1150****,0",
            "appName": d.dec("app_id", rng.choice(["com.aliyun.antcloudauth", "com.leshop.app", "com.yougou.android"])),
            "deviceType": "ios" if ios else "android",
            "osVersion": rng.choice(["iOS 16.3.2", "iOS 17.1"]) if ios else rng.choice(["Android 13", "Android 12"]),
            "apdidToken": "",
            "deviceModel": d.dec("device_model", rng.choice(["iPhone14,5", "iPhone15,2"]) if ios
                                 else rng.choice(["ELS-AN00", "M2012K11AC", "V2145A"]))}
    fields = [("SceneId", d.dec("app_id", safe_digits(rng, 10, "10000"))),
              ("OuterOrderNo", d.dec("order_no", hexs(rng, 32))),
              ("ProductCode", rng.choice(["ID_PRO", "LR_FR", "ID_PLUS"])),
              ("Model", "LIVENESS"), ("CertType", "IDENTITY_CARD"),
              ("CertName", d.p("name", p.cn)), ("CertNo", d.p("id_number", p.id)),
              ("MetaInfo", JS(meta, "compact")),
              ("Mobile", d.p("phone", p.mobile)),
              ("Ip", d.p("ip", make_ip(rng))),
              ("UserId", d.dec("user_ref", safe_digits(rng, 12, "1485"))),
              ("CallbackUrl", d.dec("notify_url", "https://www.%s.com/cloudauth/callback" % rng.choice(["aliyun", "leshop"])))]
    if rng.random() < 0.46:
        fields.append(("FaceContrastPicture", d.p("biometric", make_image_b64(rng, "jpeg"))))
    if not wrapped:
        out = dict(fields)
        out["SceneId"] = Num(out["SceneId"])
        return out
    r = rng.random()
    if r < 0.4:
        return {"endpoint": "cloudauth.aliyuncs.com", "method": "POST",
                "body": URLQ([("Action", "InitFaceVerify"), ("Version", "2019-03-07"), ("Format", "JSON")] + fields)}
    if r < 0.75:
        d.slots.clear()
        d.decoys.clear()
        mat = {"faceAttack": "F", "facialPictureFront": {"qualityScore": round(rng.uniform(60, 99), 2),
                                                         "pictureUrl": "https://cn-shanghai-aliyun-cloudauth-1234.oss-cn-shanghai.aliyuncs.com/verify/%s.jpeg" % hexs(rng, 16)},
               "ocrIdCardInfo": {"certName": d.p("name", p.cn), "certNo": d.p("id_number", p.id),
                                 "address": d.p("address", p.addr.full),
                                 "birthDate": d.p("birth_date", fmt_birth(p.birth, rng.choice(["dash", "cn"]))),
                                 "nationality": rng.choice(NATIONS), "sex": p.sex_cn,
                                 "authority": d.dec("org_name", police_of(p.addr)),
                                 "startDate": "20160701", "endDate": "20360701"}}
        return {"RequestId": d.dec("request_id", uuid_s(rng, True)), "Code": "200", "Message": "success",
                "ResultObject": {"Passed": "T", "SubCode": "200", "MaterialInfo": JS(mat, "compact"),
                                 "CertifyId": d.dec("request_id", hexs(rng, 32))}}
    d.ensure_ascii = True
    return dict(fields)


def baidu_words(rng, x, with_loc=True):
    if not with_loc:
        return {"words": x}
    return {"location": {"top": rng.randint(30, 400), "left": rng.randint(30, 400), "width": rng.randint(80, 600),
                         "height": rng.randint(20, 60)}, "words": x}


def g_baidu_ocr(d, rng, wrapped):
    p = Person(rng)
    if wrapped and rng.random() < 0.3:
        return {"api": "https://aip.baidubce.com/rest/2.0/ocr/v1/idcard?access_token=24.%s.2592000.1722739222.282335-90548479" % hexs(rng, 32),
                "contentType": "application/x-www-form-urlencoded",
                "form": URLQ([("id_card_side", "front"), ("detect_photo", "true"), ("detect_risk", "false"),
                              ("image", d.p("biometric", make_image_b64(rng, "jpeg")))])}
    wl = rng.random() < 0.45   # many integrators forward only the words, not the boxes
    wr = {"姓名": baidu_words(rng, d.p("name", p.cn), wl), "民族": baidu_words(rng, rng.choice(NATIONS), wl),
          "住址": baidu_words(rng, d.p("address", p.addr.full), wl),
          "公民身份号码": baidu_words(rng, d.p("id_number", p.id), wl),
          "出生": baidu_words(rng, d.p("birth_date", fmt_birth(p.birth, "compact")), wl),
          "性别": baidu_words(rng, p.sex_cn, wl)}
    keys = list(wr.keys())
    rng.shuffle(keys)
    res = {"log_id": Num(d.dec("log_id", safe_digits(rng, 19, "17"))), "direction": 0, "image_status": "normal",
           "idcard_number_type": 1, "risk_type": "normal", "words_result_num": 6,
           "words_result": {k: wr[k] for k in keys}}
    if rng.random() < 0.3:
        res["photo"] = d.p("biometric", make_image_b64(rng, "jpeg"))
    if not wrapped:
        return res
    if rng.random() < 0.5:
        return {"biz_no": d.dec("order_no", safe_digits(rng, 16, "2024")), "ocr_channel": "baidu",
                "ocr_result": JS(res, rng.choice(["compact", "php"]))}
    d.ensure_ascii = True
    return res


def sf_contact(d, rng, ctype, person):
    a = person.addr
    c = {"contactType": ctype, "contact": d.p("name", person.cn)}
    st = rng.random()
    if st < 0.5:
        c["mobile"] = d.p("phone", person.mobile)
    elif st < 0.8:
        c["tel"] = d.p("phone", person.mobile)
    else:
        c["tel"] = d.p("phone", make_landline(rng))
        c["mobile"] = d.p("phone", person.mobile)
    if rng.random() < 0.3:
        c["company"] = d.dec("org_name", rng.choice(ORG_NAMES))
    c["country"] = "CN"
    if rng.random() < 0.6:
        c["province"] = d.dec("place", a.prov)
        c["city"] = d.dec("place", a.city)
        c["county"] = a.dist
        c["address"] = d.p("address", a.detail)
    else:
        c["address"] = d.p("address", a.full)
    if rng.random() < 0.3:
        c["postCode"] = "%06d" % rng.randint(100000, 859999)
    return c


def g_sf(d, rng, wrapped):
    s, r = Person(rng), Person(rng)
    prod = rng.choice(PRODUCTS)
    msg = {"language": "zh-CN", "orderId": d.dec("order_no", "QIAO-" + safe_digits(rng, 14, "2024")),
           "cargoDetails": [{"name": d.dec("product_name", prod), "count": rng.randint(1, 5), "unit": "个",
                             "weight": round(rng.uniform(0.1, 20), 3), "amount": float(amount_yuan(rng)),
                             "currency": d.dec("currency", "CNY")}],
           "contactInfoList": [sf_contact(d, rng, 1, s), sf_contact(d, rng, 2, r)],
           "monthlyCard": d.dec("monthly_card", safe_digits(rng, 10, "7551")),
           "payMethod": 1, "expressTypeId": rng.choice([1, 2, 6]), "isReturnRoutelabel": 1}
    if rng.random() < 0.5:
        msg["remark"] = free_contact(d, rng, r)
    common = {"partnerID": d.dec("merchant_id", "YJSP" + safe_digits(rng, 6, "1")),
              "requestID": d.dec("request_id", uuid_s(rng)),
              "serviceCode": "EXP_RECE_CREATE_ORDER", "timestamp": d.dec("timestamp", ts_ms(rng)),
              "msgDigest": base64.b64encode(rng.randbytes(16)).decode()}
    if not wrapped:
        if rng.random() < 0.4:
            common["msgData"] = msg
        else:
            common["msgData"] = JS(msg, js_style(rng))
        return common
    if rng.random() < 0.55:
        pairs = list(common.items()) + [("msgData", JS(msg, "compact"))]
        return {"url": "https://sfapi-sbox.sf-express.com/std/service", "body": URLQ(pairs)}
    d.ensure_ascii = True
    common["msgData"] = msg if rng.random() < 0.5 else JS(msg, "compact")
    return common


def g_jd(d, rng, wrapped):
    s, r = Person(rng), Person(rng)
    prod = rng.choice(PRODUCTS)
    if rng.random() < 0.45 and not wrapped:
        def contact(pp, with_landline):
            c = {"name": d.p("name", pp.cn), "mobile": d.p("phone", pp.mobile),
                 "fullAddress": d.p("address", pp.addr.full)}
            if with_landline:
                c["phone"] = d.p("phone", make_landline(rng))
            return c
        body = {"orderOrigin": 1, "customerCode": d.dec("merchant_id", "010K" + safe_digits(rng, 6, "1")),
                "customerOrderId": d.dec("order_no", "JDL" + safe_digits(rng, 16, "2024")),
                "senderContact": contact(s, rng.random() < 0.3),
                "receiverContact": contact(r, rng.random() < 0.3),
                "cargoes": [{"name": d.dec("product_name", prod), "quantity": 1, "weight": round(rng.uniform(0.2, 9), 2),
                             "volume": rng.randint(100, 9000)}],
                "productsReq": {"productCode": "ed-m-0001"}}
        if rng.random() < 0.5:
            body["remark"] = free_contact(d, rng, r)
        return body
    prm = {"salePlat": "0030001", "customerCode": d.dec("merchant_id", "010K" + safe_digits(rng, 6, "1")),
           "orderId": d.dec("order_no", safe_digits(rng, 18, "2024")), "thrOrderId": "",
           "senderName": d.p("name", s.cn), "senderAddress": d.p("address", s.addr.full)}
    if rng.random() < 0.5:
        prm["senderTel"] = d.p("phone", make_landline(rng))
    prm["senderMobile"] = d.p("phone", s.mobile)
    prm["senderPostcode"] = "%06d" % rng.randint(100000, 859999)
    prm["receiveName"] = d.p("name", r.cn)
    a = r.addr
    if rng.random() < 0.5:
        prm["receiveAddress"] = d.p("address", a.detail)
        prm["province"] = d.dec("place", a.prov)
        prm["city"] = d.dec("place", a.city)
        prm["county"] = a.dist
        prm["town"] = rng.choice(["", "粤海街道", "望京街道", "东湖街道"])
    else:
        prm["receiveAddress"] = d.p("address", a.full)
    prm["receiveMobile"] = d.p("phone", r.mobile)
    prm["packageCount"] = 1
    prm["weight"] = round(rng.uniform(0.2, 9), 2)
    prm["vloumn"] = rng.randint(100, 9000)
    prm["description"] = d.dec("product_name", prod)
    prm["collectionValue"] = 0
    if rng.random() < 0.5:
        prm["remark"] = free_contact(d, rng, r)
    common = {"method": "jingdong.ldop.waybill.receive", "app_key": d.dec("app_id", hexs(rng, 32, True)),
              "access_token": hexs(rng, 32), "timestamp": d.dec("timestamp", ts_str(rng)), "v": "2.0"}
    if not wrapped:
        common["360buy_param_json"] = JS(prm, js_style(rng))
        return common
    if rng.random() < 0.5:
        pairs = list(common.items()) + [("360buy_param_json", JS(prm, "compact")), ("sign", hexs(rng, 32, True))]
        return {"request_url": URLQ(pairs, prefix="https://api.jd.com/routerjson?")}
    d.ensure_ascii = True
    common["360buy_param_json"] = JS(prm, "compact") if rng.random() < 0.5 else prm
    return common


def g_cainiao(d, rng, wrapped):
    s, r = Person(rng), Person(rng)
    prod = rng.choice(PRODUCTS)
    if not wrapped and rng.random() < 0.5:
        # print command to the CAINIAO print component (sinsy/sinsy.github.io test1.js)
        ra = r.addr
        mob = d.p("phone", r.mobile)
        recv = {"receiverAddress": d.p("address", ra.detail), "receiverPhone": mob,
                "buyerNick": "tb" + digits(rng, 9), "receiverName": d.p("name", r.cn),
                "receiverMobile": d.p("phone", r.mobile), "destination": "755",
                "receiverProvince": d.dec("place", ra.prov), "receiverCounty": ra.dist,
                "receiverCity": d.dec("place", ra.city)}
        if rng.random() < 0.5:
            recv["receiverFullAddress"] = d.p("address", ra.prov + ra.city + ra.dist + ra.detail)
        data = {"goodsInfoList": [{"goodsNo": safe_digits(rng, 10, "31"), "quantity": "1",
                                   "goodsName": d.dec("product_name", prod), "barCode": safe_digits(rng, 13, "45")}],
                "receiverInfo": recv,
                "orderInfo": {"orderNo": d.dec("order_no", safe_digits(rng, 16, "2005")),
                              "tradeNo": d.dec("trade_no", safe_digits(rng, 15, "5900")),
                              "printDate": d.dec("timestamp", ts_str(rng)),
                              "logisticsNo": d.dec("tracking_no", "SF" + safe_digits(rng, 13, "10")),
                              "paymentType": "寄付月结"},
                "shipperInfo": {"shipperMobile": d.p("phone", s.mobile), "shipperProvince": d.dec("place", s.addr.prov),
                                "shipperCounty": s.addr.dist, "shipperShopName": d.dec("shop_name", rng.choice(SHOP_NAMES)),
                                "shipperName": d.p("name", s.cn), "shipperAddress": d.p("address", s.addr.detail)}}
        return {"requestID": d.dec("request_id", hexs(rng, 8, True)), "version": "1.0", "cmd": "print",
                "task": {"taskID": safe_digits(rng, 8, "7"), "preview": False, "printer": "",
                         "documents": [{"documentID": d.dec("tracking_no", safe_digits(rng, 12, "77")),
                                        "contents": [{"data": data,
                                                      "templateURL": "http://cloudprint.cainiao.com/template/standard/101/123"}]}]}}

    def party(pp, split):
        a = pp.addr
        if split:
            addr = {"province": d.dec("place", a.prov), "city": d.dec("place", a.city), "district": a.dist,
                    "town": "", "detail": d.p("address", a.detail)}
        else:
            addr = {"detail": d.p("address", a.full)}
        out = {"address": addr, "name": d.p("name", pp.cn), "mobile": d.p("phone", pp.mobile)}
        if rng.random() < 0.3:
            out["phone"] = d.p("phone", make_landline(rng))
        return out

    req = {"cp_code": rng.choice(["YTO", "ZTO", "STO", "YUNDA", "SF"]),
           "sender": party(s, rng.random() < 0.6),
           "trade_order_info_dtos": [{"object_id": "1",
                                      "order_info": {"order_channels_type": "TB",
                                                     "trade_order_list": [d.dec("order_no", safe_digits(rng, 19, "3"))]},
                                      "package_info": {"id": "1", "items": [{"count": 1, "name": d.dec("product_name", prod)}],
                                                       "volume": 1, "weight": 1},
                                      "recipient": party(r, rng.random() < 0.6),
                                      "template_url": "http://cloudprint.cainiao.com/template/standard/101/123",
                                      "user_id": rng.randint(100000, 9999999)}],
           "store_code": "553323", "resource_code": "DISTRIBUTOR_978324", "dms_sorting": False}
    if not wrapped:
        return {"method": "cainiao.waybill.ii.get", "app_key": d.dec("app_id", safe_digits(rng, 8, "2")),
                "timestamp": d.dec("timestamp", ts_str(rng)), "v": "2.0", "sign_method": "md5",
                "param_waybill_cloud_print_apply_new_request": JS(req, js_style(rng))}
    if rng.random() < 0.6:
        # TOP response: print_data is a JSON string
        d.slots.clear()
        d.decoys.clear()
        pd = {"data": {"recipient": party(r, False), "sender": party(s, False),
                       "routingInfo": {"sortation": {"name": "755W"}, "consolidation": {"name": "深圳转运中心"}},
                       "waybillCode": d.dec("tracking_no", "YT" + safe_digits(rng, 13, "7"))},
              "signature": b64_sig(rng, 48), "templateURL": "http://cloudprint.cainiao.com/template/standard/101/123"}
        return {"cainiao_waybill_ii_get_response": {"modules": {"waybill_cloud_print_response": [
            {"object_id": "1", "waybill_code": d.dec("tracking_no", "YT" + safe_digits(rng, 13, "8")),
             "print_data": JS(pd, "compact"), "cp_code": "YTO"}]}, "request_id": d.dec("request_id", hexs(rng, 13))}}
    d.ensure_ascii = True
    return {"method": "cainiao.waybill.ii.get", "param_waybill_cloud_print_apply_new_request": req}


def g_insurance(d, rng, wrapped):
    a, ins = Person(rng), Person(rng)
    travel = rng.random() < 0.42
    holder = {"applicantName": d.p("name", a.cn), "applicantCardType": "1",
              "applicantCardNo": d.p("id_number", a.id),
              "dateApplyBirth": d.p("birth_date", fmt_birth(a.birth, rng.choice(["dash", "dash", "slash0", "cn"]))),
              "applicantGender": a.gender, "applicantMobile": d.p("phone", a.mobile),
              "applicantEmail": d.p("email", a.email)}
    if rng.random() < 0.4:
        holder["applicantAddress"] = d.p("address", a.addr.full)
    insured = {"relation": rng.choice(["1", "2", "3"]),
               "insurantName": d.p("name", ins.cn), "insurantSex": ins.gender,
               "insurantBirth": d.p("birth_date", fmt_birth(ins.birth, "dash"))}
    if travel:
        insured["insurantIdType"] = "2"
        insured["insurantIdno"] = d.p("passport", make_passport(rng)[0])
        if not ins.minority:
            insured["insurantEnName"] = d.p("name", ins.roman(rng, rng.choice(["SLASH", "UPPER"])), "romanized")
        insured["destination"] = rng.choice(["日本", "泰国", "新加坡", "法国"])
    else:
        insured["insurantIdType"] = "1"
        insured["insurantIdno"] = d.p("id_number", ins.id)
    if rng.random() < 0.6:
        insured["mobile"] = d.p("phone", ins.mobile)
    prod = rng.choice(INS_PRODUCTS)
    req = {"userId": d.dec("user_ref", safe_digits(rng, 18, "27")), "from": "wap-chaoshi",
           "clientNo": d.dec("user_ref", safe_digits(rng, 19, "42")),
           "insurerInfo": holder,
           "insuranceProductInfo": {"productId": rng.randint(10000000, 10099999),
                                    "productCode": d.dec("product_code", "P%04d%s%02d" % (rng.randint(1000, 9999), rng.choice("ABCD"), rng.randint(10, 99))),
                                    "productName": d.dec("product_name", prod),
                                    "insurerName": d.dec("org_name", rng.choice(INSURERS)),
                                    "insurancePeriod": 12, "insPeriodUnits": "M"},
           "insurantInfoList": [insured],
           "policyInfo": {"insuranceBeginTime": d.dec("timestamp", ts_str(rng)),
                          "annualPremium": d.dec("amount", amount_yuan(rng)), "discount": 1},
           "preOrderNo": d.dec("order_no", safe_digits(rng, 16, "2017"))}
    if rng.random() < 0.35:
        req["remark"] = free_name(d, rng, ins)
    if not wrapped:
        return {"requestData": req}
    r = rng.random()
    if r < 0.35:
        em = Person(rng)
        req["extendInfo"] = JS({"healthNotice": "N", "emergencyContact": {"name": d.p("name", em.cn),
                                                                          "phone": d.p("phone", em.mobile)}},
                               js_style(rng))
        return {"requestData": req}
    if r < 0.7:
        return {"partner": d.dec("merchant_id", "PAB" + safe_digits(rng, 8, "6")), "serviceName": "policy.issue",
                "timestamp": d.dec("timestamp", ts_ms(rng)), "bizContent": B64J(req), "sign": hexs(rng, 32)}
    d.ensure_ascii = True
    return {"requestData": req}


def g_afc(d, rng, wrapped):
    p = Person(rng)
    card, bank = make_card(rng)
    if wrapped and rng.random() < 0.55:
        pairs = [("Action", "AntiFraud"), ("Region", "gz"), ("Timestamp", ts_ms(rng)[:10]),
                 ("Nonce", str(rng.randint(10000, 99999))), ("SecretId", "AKID" + hexs(rng, 32, True)[:32]),
                 ("idNumber", d.p("id_number", p.id)),
                 ("phoneNumber", d.p("phone", fmt_mobile(rng, p.mobile, "0086-"))),
                 ("name", d.p("name", p.cn)), ("userIp", d.p("ip", make_ip(rng))), ("scene", "0")]
        if rng.random() < 0.5:
            pairs.append(("bankCardNumber", d.p("bank_card", card)))
        if rng.random() < 0.5:
            pairs.append(("imei", d.p("device", make_imei(rng))))
        if rng.random() < 0.4:
            pairs.append(("emailAddress", d.p("email", p.email)))
        if rng.random() < 0.4:
            pairs.append(("address", d.p("address", p.addr.full)))
        if rng.random() < 0.4:
            pairs.append(("mac", d.p("device", make_mac(rng))))
        pairs.append(("Signature", b64_sig(rng, 20)))
        return {"method": "GET", "url": URLQ(pairs, prefix="https://csec.api.qcloud.com/v2/index.php?")}
    doc = {"PhoneNumber": d.p("phone", fmt_mobile(rng, p.mobile, rng.choice(["raw", "0086-", "+86"]))),
           "IdNumber": d.p("id_number", p.id), "Scene": "0", "Name": d.p("name", p.cn)}
    if rng.random() < 0.6:
        doc["BankCardNumber"] = d.p("bank_card", card)
    doc["UserIp"] = d.p("ip", make_ip(rng))
    if rng.random() < 0.5:
        doc["Imei"] = d.p("device", make_imei(rng))
    else:
        doc["Idfa"] = d.p("device", uuid_s(rng, True))
    if rng.random() < 0.5:
        doc["EmailAddress"] = d.p("email", p.email)
    if rng.random() < 0.5:
        doc["Address"] = d.p("address", p.addr.full)
    doc["AccountType"] = "2"
    doc["Uid"] = openid(rng)
    doc["AppIdU"] = d.dec("app_id", "wx" + hexs(rng, 16))
    if rng.random() < 0.4:
        doc["WifiMac"] = d.p("device", make_mac(rng))
    if rng.random() < 0.4:
        doc["Mac"] = d.p("device", make_mac(rng))
    doc["BusinessId"] = d.dec("merchant_id", safe_digits(rng, 8, "3"))
    if wrapped and rng.random() < 0.45:
        d.ensure_ascii = True
    return doc


def g_shumei(d, rng, wrapped):
    p = Person(rng)
    lat, lng = coord(rng, p.addr.lat0, p.addr.lng0)
    ev = rng.choice(["register", "login", "payment", "withdraw", "marketing"])
    data = {"tokenId": d.dec("user_ref", "uid_" + safe_digits(rng, 9, "3")), "ip": d.p("ip", make_ip(rng)),
            "timestamp": int(ts_ms(rng)), "deviceId": "B" + hexs(rng, 40) + "==",
            "os": rng.choice(["android", "ios", "harmony"]), "appVersion": "3.2.1.%d" % rng.randint(1, 9999),
            "phoneMd5": hexs(rng, 32)}
    if ev == "register":
        data["phone"] = d.p("phone", p.mobile)
        data["countryCode"] = "0086"
    if ev == "withdraw":
        card, bank = make_card(rng)
        data["withdrawAccountType"] = "bankcard"
        data["withdrawAccount"] = d.p("bank_card", card)
        data["withdrawAmount"] = float(amount_yuan(rng))
    if ev == "payment":
        data["orderId"] = d.dec("order_no", safe_digits(rng, 18, "2024"))
        data["product"] = d.dec("product_name", rng.choice(PRODUCTS))
        data["amount"] = float(amount_yuan(rng))
    extra = {}
    if data["os"] == "ios":
        extra["idfa"] = d.p("device", uuid_s(rng, True))
    else:
        k = rng.choice(["imei", "imei", "oaid", "androidId"])
        extra[k] = d.p("device", make_imei(rng) if k == "imei" else (uuid_s(rng) if k == "oaid" else make_android_id(rng)))
    if rng.random() < 0.5:
        extra["mac"] = d.p("device", make_mac(rng))
    if rng.random() < 0.5:
        extra["gps"] = d.p("location", "%s,%s" % (lat, lng))
    else:
        extra["latitude"] = d.num("location", lat, "float")
        extra["longitude"] = d.num("location", lng, "float")
    data["extra"] = extra
    doc = {"accessKey": d.dec("app_id", "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(20))),
           "appId": "default", "eventId": ev, "data": data}
    if not wrapped:
        return doc
    if rng.random() < 0.5:
        # extra sent as a JSON string (stringified by the client SDK)
        data["extra"] = JS(extra, "compact")   # numbers inside the JSON string keep number form
        return doc
    d.ensure_ascii = True
    return doc


ESB_KEYS = {
    "name": ["cust_nm", "holder_nm", "acct_nm", "rcv_acct_nm", "cst_nm", "payee_nm", "CUST_NM", "xm"],
    "card": ["acct_no", "acctNo", "payee_acct_no", "rcv_acct", "CARD_NO", "ACCT_NO", "kh"],
    "id": ["cert_no", "ctf_no", "idno", "id_no", "CERT_NO", "IDNO", "zjhm"],
    "phone": ["mbl_no", "mbl", "mob_no", "tel_no", "MBL_NO", "sjhm"],
    "birth": ["brth_dt", "birth_dt", "csrq", "BRTH_DT"],
    "addr": ["rcvr_addr", "cust_addr", "addr", "jtzz", "ADDR"],
    "passport": ["pspt_no", "psp_no", "hzhm"],
    "email": ["eml", "email_addr", "e_mail"],
    "en_name": ["payee_en_nm", "en_nm", "ENG_NM"],
}


def g_esb(d, rng, wrapped):
    corp_bank = rng.choice(BANKS)[2]
    dtl = []
    tot = 0.0
    for i in range(rng.choice([1, 1, 2])):
        p = Person(rng)
        card, bank = make_card(rng)
        k = {c: rng.choice(v) for c, v in ESB_KEYS.items()}
        amt = rng.randint(100000, 3000000) / 100.0
        tot += amt
        row = {"seq_no": i + 1, k["name"]: d.p("name", p.cn, "abbrev_key")}
        if rng.random() < 0.2 and not wrapped:
            row[k["card"]] = d.num("bank_card", card)
        else:
            row[k["card"]] = d.p("bank_card", card, "abbrev_key")
        row["opn_bnk_nm"] = d.dec("bank_name", bank_branch(rng, bank))
        if rng.random() < 0.3:
            row["cert_tp"] = "03"
            row[k["passport"]] = d.p("passport", make_passport(rng)[0], "abbrev_key")
            if not p.minority:
                row[k["en_name"]] = d.p("name", p.roman(rng), "romanized")
        else:
            row["cert_tp"] = "01"
            row[k["id"]] = d.p("id_number", p.id, "abbrev_key")
        if rng.random() < 0.2 and not wrapped:
            row[k["phone"]] = d.num("phone", p.mobile)
        else:
            row[k["phone"]] = d.p("phone", p.mobile, "abbrev_key")
        if rng.random() < 0.5:
            bst = rng.choice(["compact", "dash", "compact"])
            if bst == "compact" and rng.random() < 0.3 and not wrapped:
                row[k["birth"]] = d.num("birth_date", fmt_birth(p.birth, "compact"))
            else:
                row[k["birth"]] = d.p("birth_date", fmt_birth(p.birth, bst), "abbrev_key")
        if rng.random() < 0.45:
            row[k["addr"]] = d.p("address", p.addr.full, "abbrev_key")
        if rng.random() < 0.3:
            row[k["email"]] = d.p("email", p.email, "abbrev_key")
        row["amt"] = d.dec("amount", "%.2f" % amt)
        row["pstsc"] = free_name(d, rng, p, 0.1) if rng.random() < 0.5 else "代发工资"
        dtl.append(row)
    body = {"corp_acct_no": d.dec("corp_acct", safe_digits(rng, 15, "7559")),
            "corp_nm": d.dec("org_name", rng.choice(ORG_NAMES)),
            "corp_bnk_nm": d.dec("bank_name", corp_bank),
            "tot_amt": "%.2f" % tot, "tot_cnt": len(dtl), "dtl_list": dtl}
    head = {"SVC_CD": "PAYROLL_BATCH", "CNSMR_SYS_ID": "PMT001",
            "TXN_DT": ts_compact(rng)[:8], "TXN_TM": ts_compact(rng)[8:],
            "CNSMR_SEQ_NO": d.dec("order_no", safe_digits(rng, 20, "2024"))}
    if not wrapped:
        return {"SYS_HEAD": head, "APP_HEAD": {"BRNCH_NO": "0755", "TLR_NO": "T0012"}, "BODY": body}
    r = rng.random()
    if r < 0.35:
        return {"SYS_HEAD": head, "BODY": JS(body, js_style(rng))}
    if r < 0.7:
        return {"SYS_HEAD": head, "ENC_FLG": "0", "BODY_DATA": B64J(body), "MAC": hexs(rng, 16, True)}
    d.ensure_ascii = True
    return {"SYS_HEAD": head, "BODY": body}


def g_epeis(d, rng, wrapped):
    recs = []
    for _ in range(rng.choice([1, 1, 2])):
        if rng.random() < 0.2:
            card, bank = make_card(rng)
            recs.append({"CUSTOMER_NAME": d.dec("org_name", rng.choice(ORG_NAMES)), "CUSTOMER_TYPE": "2",
                         "TAX_NUMBER_INFO": d.dec("credit_code", credit_code(rng)), "TAX_TYPE": "1",
                         "BANK_NAME": d.dec("bank_name", bank_branch(rng, bank)),
                         "ADMIN_CODE_INFO": "440305"})
            continue
        p = Person(rng)
        card, bank = make_card(rng)
        foreign = rng.random() < 0.22 and not p.minority
        rec = {"CUSTOMER_NAME": d.p("name", p.roman(rng, "UPPER"), "romanized") if foreign else d.p("name", p.cn),
               "SEX_TYPE": "1" if p.gender == "M" else "2",
               "MOBILE_PHONE_INFO": d.p("phone", p.mobile, "abbrev_key"),
               "EMAIL_INFO": d.p("email", p.email, "abbrev_key"),
               "CERTIFICATES_INFO": (d.p("passport", make_passport(rng, foreign=True)[0], "abbrev_key") if foreign
                                     else d.p("id_number", p.id, "abbrev_key")),
               "CERTIFICATES_TYPE": "3" if foreign else "1",
               "CUSTOMER_TYPE": "1",
               "ADMIN_CODE_INFO": p.addr.region,
               "ADDRESS": d.p("address", p.addr.full)}
        if rng.random() < 0.4:
            rec["TELEPHONE_INFO"] = d.p("phone", make_landline(rng), "abbrev_key")
        rec["BANK_ACCOUNT_INFO"] = d.p("bank_card", card, "abbrev_key")
        rec["BANK_NAME"] = d.dec("bank_name", bank)
        recs.append(rec)
    doc = {"SYS_HEAD": {"CHANNEL_DID": d.dec("merchant_id", hexs(rng, 16, True)),
                        "DYNAMIC_KEY": hexs(rng, 32), "REGISTER_DID": hexs(rng, 16, True),
                        "ACCOUNT_DID": hexs(rng, 16, True)},
           "INOUT_IMPORT_CUS_INFO": recs}
    if wrapped and rng.random() < 0.45:
        d.ensure_ascii = True
    return doc


def g_lianlian(d, rng, wrapped):
    p, r = Person(rng), Person(rng)
    card, bank = make_card(rng)
    risk = {"frms_ware_category": "2009", "user_info_mercht_userno": d.dec("user_ref", "U" + safe_digits(rng, 9, "1")),
            "user_info_bind_phone": d.p("phone", p.mobile),
            "user_info_dt_register": d.dec("timestamp", ts_compact(rng)),
            "goods_name": d.dec("product_name", rng.choice(PRODUCTS)),
            "frms_ip_addr": d.p("ip", make_ip(rng)),
            "user_info_full_name": d.p("name", p.cn), "user_info_id_no": d.p("id_number", p.id),
            "user_info_identify_state": "1", "user_info_identify_type": "1", "user_info_id_type": "0"}
    if rng.random() < 0.6:
        risk["delivery_full_name"] = d.p("name", r.cn)
        risk["delivery_phone"] = d.p("phone", r.mobile)
        risk["delivery_addr_province"] = d.dec("place", r.addr.prov)
        risk["delivery_addr_city"] = d.dec("place", r.addr.city)
        if rng.random() < 0.5:
            risk["delivery_addr_full"] = d.p("address", r.addr.detail)
    if rng.random() < 0.4:
        risk["frms_imei"] = d.p("device", make_imei(rng))
    req = {"oid_partner": d.dec("merchant_id", safe_digits(rng, 18, "2014")),
           "sign_type": "RSA", "user_id": d.dec("user_ref", "U" + safe_digits(rng, 9, "1")),
           "busi_partner": "101001",
           "no_order": d.dec("order_no", safe_digits(rng, 17, "2024")),
           "dt_order": d.dec("timestamp", ts_compact(rng)),
           "name_goods": d.dec("product_name", rng.choice(PRODUCTS)),
           "money_order": d.dec("amount", amount_yuan(rng)),
           "notify_url": d.dec("notify_url", "https://api.%s.com/lianlian/notify" % rng.choice(["shop", "mall"])),
           "id_type": "0", "id_no": d.p("id_number", p.id), "acct_name": d.p("name", p.cn),
           "card_no": d.p("bank_card", card),
           "risk_item": JS(risk, js_style(rng)),
           "sign": d.dec("sign", b64_sig(rng))}
    if not wrapped:
        return req
    if rng.random() < 0.5:
        req["risk_item"] = JS(risk, "compact")
        return {"channel": "lianlian", "svc": "bankcardprepay", "req_data": JS(req, "compact")}
    d.ensure_ascii = True
    return req


def g_loan(d, rng, wrapped):
    p = Person(rng)
    lat, lng = coord(rng, p.addr.lat0, p.addr.lng0)
    work = Address(rng)
    base = {"name": d.p("name", p.cn), "identification_no": d.p("id_number", p.id),
            "mobile": d.p("phone", p.mobile), "audit_mobile": d.p("phone", p.mobile),
            "education_enum": rng.choice(["本科", "大专", "硕士", "高中"]), "email": d.p("email", p.email),
            "marriage_enum": rng.choice(["已婚", "未婚", "其他"]),
            "company_name": d.dec("org_name", rng.choice(ORG_NAMES)),
            "company_address": d.p("address", work.full),
            "residence_address": d.p("address", p.addr.full),
            "birth_day": d.p("birth_date", fmt_birth(p.birth, "compact"))}
    ident = {"id_number": d.p("id_number", p.id), "id_name": d.p("name", p.cn),
             "id_address": d.p("address", p.addr.full), "id_nation": rng.choice(NATIONS),
             "id_issue_org": d.dec("org_name", police_of(p.addr)),
             "id_validity": d.dec("valid_period", "2016.07.01-2036.07.01")}
    contacts = []
    for rel in rng.sample(["父母", "配偶", "朋友", "同事", "子女"], rng.choice([1, 1, 2])):
        c = Person(rng)
        contacts.append({"contact_name": d.p("name", c.cn), "contact_mobile": d.p("phone", fmt_mobile(rng, c.mobile)),
                         "relation": rel})
    loc = {"longitude": d.num("location", lng, "float"), "latitude": d.num("location", lat, "float"),
           "ip": d.p("ip", make_ip(rng))}
    dev = {"device_brand": rng.choice(["HUAWEI", "Xiaomi", "OPPO", "vivo", "Apple"]),
           "device_model": d.dec("device_model", rng.choice(["ELS-AN00", "M2012K11AC", "PEQM00", "V2145A"])),
           "os_version": rng.choice(["10", "12", "13"])}
    if dev["device_brand"] == "Apple":
        dev["idfa"] = d.p("device", uuid_s(rng, True))
    else:
        dev["imei"] = d.p("device", make_imei(rng))
        if rng.random() < 0.6:
            dev["android_id"] = d.p("device", make_android_id(rng))
        if rng.random() < 0.5:
            dev["oaid"] = d.p("device", uuid_s(rng))
    if rng.random() < 0.5:
        dev["mac"] = d.p("device", make_mac(rng))
    doc = {"user_id": d.dec("user_ref", safe_digits(rng, 12, "8")),
           "apply_no": d.dec("order_no", safe_digits(rng, 19, "2024")),
           "user_base_info": base, "identification_info": ident,
           "contact_info": contacts, "location_info": loc, "device_info": dev}
    if rng.random() < 0.36:
        doc["face_info"] = {"face_img": d.p("biometric", make_image_b64(rng, rng.choice(["jpeg", "png"]))),
                            "face_score": round(rng.uniform(60, 99), 2)}
    if rng.random() < 0.35:
        card, bank = make_card(rng)
        doc["credict_card_info"] = {"card_no": d.p("bank_card", card), "bank_name": d.dec("bank_name", bank)}
    if not wrapped:
        return doc
    if rng.random() < 0.55:
        return {"channel_code": d.dec("merchant_id", "CH" + safe_digits(rng, 6, "3")),
                "timestamp": d.dec("timestamp", ts_ms(rng)), "biz_data": B64J(doc), "sign": hexs(rng, 32)}
    d.ensure_ascii = True
    return doc


def g_huifu(d, rng, wrapped):
    p = Person(rng)
    card, bank = make_card(rng)
    lat, lng = coord(rng, p.addr.lat0, p.addr.lng0)
    risk = {"ip_addr": d.p("ip", make_ip(rng)), "base_station": "460,01,%d,%d" % (rng.randint(1000, 60000), rng.randint(1000, 60000)),
            "latitude": d.p("location", lat), "longitude": d.p("location", lng)}
    term = {"device_type": "1", "device_ip": d.p("ip", make_ip(rng)), "device_mac": d.p("device", make_mac(rng))}
    if rng.random() < 0.6:
        term["device_imei"] = d.p("device", make_imei(rng))
    data = {"req_seq_id": d.dec("order_no", safe_digits(rng, 20, "2024")),
            "req_date": d.dec("timestamp", ts_compact(rng)[:8]),
            "huifu_id": d.dec("merchant_id", safe_digits(rng, 16, "6666000")),
            "out_cust_id": d.dec("user_ref", safe_digits(rng, 12, "9")),
            "bank_id": BANK_CODES[bank][2], "card_name": d.p("name", p.cn),
            "cert_id": d.p("id_number", p.id), "cert_type": "00", "cert_end_date": "20311111",
            "card_mp": d.p("phone", p.mobile, "abbrev_key"), "dc_type": "D",
            "card_no": d.p("bank_card", card),
            "async_return_url": d.dec("notify_url", "https://api.%s.com/huifu/notify" % rng.choice(["shop", "mall"])),
            "risk_check_data": JS(risk, "compact"), "terminal_device_data": JS(term, "compact")}
    env = {"sys_id": d.dec("merchant_id", safe_digits(rng, 16, "6666000108")), "product_id": "YYZY",
           "sign": d.dec("sign", b64_sig(rng))}
    if not wrapped:
        env["data"] = data
        return env
    if rng.random() < 0.55:
        env["data"] = JS(data, "compact")
        return env
    d.ensure_ascii = True
    env["data"] = data
    return env


def g_yeepay(d, rng, wrapped):
    p = Person(rng)
    card, bank = make_card(rng)
    code = BANK_CODES[bank][0]
    pairs = [("p0_Cmd", "FastRealNameAuth"), ("customerId", d.dec("merchant_id", safe_digits(rng, 11, "1000"))),
             ("busId", d.dec("order_no", safe_digits(rng, 13, "14"))),
             ("name", d.p("name", p.cn)), ("idCardNumber", d.p("id_number", p.id)), ("bankCode", code),
             ("bankCardNumber", d.p("bank_card", card)), ("bankName", d.dec("bank_name", bank)),
             ("province", ""), ("city", ""), ("pattern", "1")]
    if rng.random() < 0.5:
        pairs.append(("mobile", d.p("phone", p.mobile)))
    pairs.append(("hmac", hexs(rng, 32)))
    if not wrapped:
        return dict(pairs)
    if rng.random() < 0.6:
        return {"command": "FastRealNameAuth",
                "url": URLQ(pairs, prefix="https://www.yeepay.com/app-merchant-proxy/command?")}
    d.ensure_ascii = True
    return dict(pairs)


def g_pingpp(d, rng, wrapped):
    p = Person(rng)
    ch = rng.choice(["unionpay", "allinpay", "jdpay", "alipay", "wx_pub"])
    if ch in ("unionpay", "allinpay", "jdpay"):
        card, bank = make_card(rng)
        extra = {"account": d.p("bank_card", card), "name": d.p("name", p.cn),
                 "open_bank_code": BANK_CODES[bank][1]}
        if ch == "unionpay":
            extra["open_bank"] = d.dec("bank_name", bank)
            extra["prov"] = d.dec("place", p.addr.prov.rstrip("省市"))
            extra["city"] = d.dec("place", p.addr.city.rstrip("市"))
            extra["sub_bank"] = d.dec("bank_name", rng.choice(BRANCH_AREAS) + "支行")
        if ch == "allinpay":
            extra["business_code"] = "09900"
            extra["card_type"] = 0
    elif ch == "alipay":
        extra = {"account": d.p("email", p.email) if rng.random() < 0.5 else d.p("phone", p.mobile),
                 "name": d.p("name", p.cn), "account_type": "ALIPAY_LOGONID"}
    else:
        extra = {"open_id": openid(rng), "name": d.p("name", p.cn), "force_check": False}
    doc = {"user": d.dec("user_ref", "user_" + safe_digits(rng, 6, "0")), "amount": rng.randint(100, 500000),
           "user_fee": 0, "channel": ch, "order_no": d.dec("order_no", safe_digits(rng, 16, "2024")),
           "description": free_name(d, rng, p) if rng.random() < 0.5 else "余额提现",
           "extra": extra, "metadata": {"source": "app"}}
    if rng.random() < 0.3:
        doc["metadata"] = {"source": "app", "bind_mobile": d.p("phone", p.mobile)}
    if wrapped:
        if rng.random() < 0.5:
            doc["metadata"] = JS(doc["metadata"], "compact")
            doc["extra"] = JS(extra, "compact")
        else:
            d.ensure_ascii = True
    return doc


GENERATORS = {
    "unionpay_acp_realname_auth": g_unionpay_acp,
    "alipay_user_certify": g_alipay_certify,
    "wechat_profitsharing": g_wx_profitsharing,
    "tencent_faceid": g_tencent_faceid,
    "baidu_ocr_idcard": g_baidu_ocr,
    "sf_express_order": g_sf,
    "jd_ldop_waybill": g_jd,
    "insurance_policy": g_insurance,
    "tencent_afc_antifraud": g_afc,
    "bank_esb_payroll": g_esb,
    "lianlian_risk_item": g_lianlian,
    "yeepay_realname": g_yeepay,
    "pingpp_withdrawal": g_pingpp,
    "unionpay_wtz_token_open": g_unionpay_wtz,
    "alipay_fund_transfer": g_alipay_transfer,
    "alipay_trade_ext_user": g_alipay_trade,
    "zhima_credit": g_zhima,
    "wechat_jsapi_prepay": g_wx_jsapi,
    "wechat_transfer_batch": g_wx_transfer,
    "wechat_applyment": g_wx_applyment,
    "aliyun_cloudauth": g_aliyun,
    "cainiao_waybill": g_cainiao,
    "shumei_risk_event": g_shumei,
    "loan_credit_apply": g_loan,
    "huifu_quick_bind": g_huifu,
    "epeis_customer_import": g_epeis,
}
assert set(GENERATORS) == set(SPLIT)


# ---------------------------------------------------------------------------
# decoding (an emulation of what the scorer is told to do) + validation
# ---------------------------------------------------------------------------
B64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _try_b64(t):
    if len(t) < 8 or len(t) % 4 or not B64_RE.fullmatch(t):
        return None
    try:
        raw = base64.b64decode(t, validate=True)
        s = raw.decode("utf-8")
    except Exception:
        return None
    if any(ord(c) < 32 and c not in "\r\n\t" for c in s):
        return None
    return s


def decode_texts(doc_text):
    out = []

    def visit_str(s, depth):
        out.append(s)
        if depth > 8:
            return
        t = s.strip()
        if t[:1] in "{[":
            try:
                visit_obj(json.loads(t), depth + 1)
            except Exception:
                pass
        if "%" in t:
            u = urllib.parse.unquote(t)
            if u != t:
                visit_str(u, depth + 1)
        inner = t[1:-1] if (t[:1] == "{" and t[-1:] == "}") else t
        if "=" in inner and ("&" in inner or inner.count("=") == 1):
            q = inner.split("?", 1)[1] if "?" in inner[:200] else inner
            for part in q.split("&"):
                if "=" in part:
                    k, v = part.split("=", 1)
                    out.append(k)
                    uv = urllib.parse.unquote(v)
                    visit_str(uv, depth + 1)
        b = _try_b64(t)
        if b is not None:
            visit_str(b, depth + 1)

    def visit_obj(o, depth):
        if isinstance(o, dict):
            for k, v in o.items():
                out.append(str(k))
                visit_obj(v, depth)
        elif isinstance(o, list):
            for v in o:
                visit_obj(v, depth)
        elif isinstance(o, str):
            visit_str(o, depth)
        elif o is None or isinstance(o, bool):
            out.append(json.dumps(o))
        else:
            out.append(json.dumps(o))

    visit_obj(json.loads(doc_text), 0)
    return "\n".join(out)


MIN_DECOY_LEN = {"product_name": 2, "place": 3, "shop_name": 4, "currency": 3}
MAX_DECOYS = 3
# group 0 = hard decoys (look like personal data or sit next to it), 1 = identifiers, 2 = easy
DECOY_GROUP = {"place": 0, "shop_name": 0, "store_address": 0, "org_name": 0, "bank_name": 0, "cert_serial": 0,
               "terminal_id": 0, "token_requestor_id": 0, "credit_code": 0, "log_id": 0, "corp_acct": 0,
               "service_hotline": 0, "sign": 0, "merchant_id": 0, "order_no": 0, "user_ref": 0,
               "monthly_card": 1, "trade_no": 1, "tracking_no": 1, "product_name": 1, "valid_period": 1,
               "app_id": 1, "device_model": 1, "amount": 2, "timestamp": 2, "notify_url": 2, "request_id": 2,
               "product_code": 2, "currency": 2}


def cap_decoys(decoys, cap, rng):
    """keep at most `cap` decoys: one per kind first, kinds drawn at random with hard kinds favoured"""
    if len(decoys) <= cap:
        return decoys
    kind_key = {}
    for x in decoys:
        if x["kind"] not in kind_key:
            kind_key[x["kind"]] = DECOY_GROUP.get(x["kind"], 2) * 0.7 + rng.random()
    order = sorted(range(len(decoys)), key=lambda i: (kind_key[decoys[i]["kind"]], i))
    chosen, kinds = [], set()
    for i in order:                      # first pass: one per kind
        if decoys[i]["kind"] not in kinds:
            chosen.append(i)
            kinds.add(decoys[i]["kind"])
    for i in order:                      # second pass: fill up
        if i not in chosen:
            chosen.append(i)
    chosen = sorted(chosen[:cap])
    return [decoys[i] for i in chosen]


def finalize(d, tree, rng):
    """render, validate; returns record or None (regenerate)."""
    real = d.render(tree)
    text = dump_outer(real, rng, d.ensure_ascii)
    masked = d.render(tree, masked=True)
    masked_text = json.dumps(masked, ensure_ascii=False)
    dec_real = decode_texts(text)
    dec_mask = decode_texts(masked_text)
    # pii, deduplicated by (category, value); first placement wins
    pii = []
    seen = set()
    for idx, (cat, val, base) in enumerate(d.slots):
        if idx not in d.placement:
            return None, "slot %d not rendered" % idx
        key = (cat, val)
        if key in seen:
            continue
        seen.add(key)
        pii.append({"category": cat, "value": val, "placement": d.placement[idx]})
    values = [x["value"] for x in pii]
    for x in pii:
        if x["value"] not in dec_real:
            return None, "pii not found: %r" % (x,)
        if x["value"] in dec_mask:
            return None, "pii present outside its labelled slot: %r" % (x,)
    # pii containment across categories (allowed: same category; compact birth date inside ID)
    for a in pii:
        for b in pii:
            if a is b or a["value"] not in b["value"]:
                continue
            if a["category"] == b["category"]:
                continue
            if a["category"] == "birth_date" and b["category"] == "id_number":
                continue
            return None, "pii %r inside pii %r" % (a, b)
    decoys = []
    dseen = set()
    for didx, (kind, val) in enumerate(d.decoys):
        if didx not in d.dplacement:
            continue  # registered but not placed in this variant
        if len(val) < MIN_DECOY_LEN.get(kind, 4):
            continue
        if val in dseen or val in values:
            continue
        if any(val in v or v in val for v in values):
            continue  # overlapping with a personal value: ambiguous, drop
        if val not in dec_real or val not in dec_mask:
            return None, "decoy not found: %r %r" % (kind, val)
        dseen.add(val)
        decoys.append({"kind": kind, "value": val, "placement": d.dplacement[didx]})
    decoys = cap_decoys(decoys, MAX_DECOYS, rng)
    json.loads(text)
    return {"api": d.api, "split": SPLIT[d.api], "doc": text, "pii": pii, "decoys": decoys}, None


# ---------------------------------------------------------------------------
# independent read-back validation and summary
# ---------------------------------------------------------------------------
PHONE_RES = [re.compile(r"1[3-9]\d{9}"), re.compile(r"\+861[3-9]\d{9}"), re.compile(r"\+86 1[3-9]\d \d{4} \d{4}"),
             re.compile(r"\+86-1[3-9]\d{9}"), re.compile(r"0086-1[3-9]\d{9}"), re.compile(r"1[3-9]\d-\d{4}-\d{4}"),
             re.compile(r"1[3-9]\d \d{4} \d{4}"), re.compile(r"0\d{2,3}-[2-8]\d{6,7}"), re.compile(r"\(0\d{2,3}\)[2-8]\d{6,7}"),
             re.compile(r"0\d{2,3}[2-8]\d{6,7}")]
BIRTH_RES = [re.compile(r"(19|20)\d\d-\d\d-\d\d"), re.compile(r"(19|20)\d{6}"), re.compile(r"(19|20)\d\d/\d{1,2}/\d{1,2}"),
             re.compile(r"(19|20)\d\d年\d{1,2}月\d{1,2}日")]
REGIONS = {row[4] for row in ADDR_TABLE} | set(EXTRA_REGION_CODES)


def check_value(cat, v):
    if cat == "id_number":
        return len(v) == 18 and looks_like_valid_id(v) and v[:6] in REGIONS and \
            datetime.datetime.strptime(v[6:14], "%Y%m%d") is not None
    if cat == "bank_card":
        return v.isdigit() and 16 <= len(v) <= 19 and luhn_ok(v) and v.startswith(tuple(b[0] for b in BANKS))
    if cat == "phone":
        return any(r.fullmatch(v) for r in PHONE_RES)
    if cat == "email":
        return re.fullmatch(r"[A-Za-z0-9._-]+@[a-z0-9.-]+\.[a-z]+", v) is not None
    if cat == "ip":
        if ":" in v:
            return len(v.split(":")) == 8
        return len(v.split(".")) == 4 and all(0 <= int(x) <= 255 for x in v.split("."))
    if cat == "passport":
        return re.fullmatch(r"[A-Z]{0,2}\d{6,9}", v) is not None
    if cat == "birth_date":
        return any(r.fullmatch(v) for r in BIRTH_RES)
    if cat == "biometric":
        raw = base64.b64decode(v, validate=True)
        return len(v) >= 2048 and raw[:3] in (b"\xff\xd8\xff", b"\x89PN", b"FMR")
    if cat == "device":
        return (v.isdigit() and len(v) == 15 and luhn_ok(v)) or \
            re.fullmatch(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}", v) is not None or \
            re.fullmatch(r"[0-9a-f]{16}", v) is not None or \
            re.fullmatch(r"([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}", v) is not None
    if cat == "location":
        parts = v.split(",")
        return all(float(x) for x in parts) and len(parts) in (1, 2)
    if cat == "address":
        return any(x in v for x in ("路", "街", "道", "大街")) and ("号" in v or "弄" in v)
    if cat == "name":
        return bool(re.fullmatch(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{2,5}·[\u4e00-\u9fff]{2,5}|[A-Za-z]+[ /][A-Za-z]+", v))
    return False


def validate_file(path):
    problems = []
    recs = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            rec = json.loads(line)
            recs.append(rec)
            assert set(rec) == {"api", "split", "doc", "pii", "decoys"}, ln
            if rec["split"] != SPLIT[rec["api"]]:
                problems.append((ln, "split"))
            json.loads(rec["doc"])                      # the payload itself must be JSON
            if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", rec["doc"]) or "\\u0001" in rec["doc"] or "\\u0000" in rec["doc"]:
                problems.append((ln, "control character / placeholder left in doc"))
            dec = decode_texts(rec["doc"])
            for x in rec["pii"]:
                if x["category"] not in CATEGORIES or x["placement"] not in PLACEMENTS:
                    problems.append((ln, "bad label", x))
                if x["value"] not in dec:
                    problems.append((ln, "pii not found", x))
                if not check_value(x["category"], x["value"]):
                    problems.append((ln, "implausible value", x))
            pv = [x["value"] for x in rec["pii"]]
            for x in rec["decoys"]:
                v = x["value"]
                if v not in dec:
                    problems.append((ln, "decoy not found", x))
                if v in pv:
                    problems.append((ln, "decoy equals pii", x))
                if v.isdigit():
                    if (16 <= len(v) <= 19 and luhn_ok(v)) or (len(v) == 18 and looks_like_valid_id(v)) \
                            or (len(v) == 11 and MOBILE_RE.fullmatch(v)) or (len(v) == 15 and luhn_ok(v)):
                        problems.append((ln, "digit decoy looks personal", x))
    return recs, problems


def table(title, counter, keys=None):
    keys = keys or sorted(counter, key=lambda k: -counter[k])
    print("\n%s" % title)
    w = max([len(str(k)) for k in keys] + [8])
    for k in keys:
        print("  %-*s %6d" % (w, k, counter.get(k, 0)))


def summary(recs):
    cat = collections.Counter(x["category"] for r in recs for x in r["pii"])
    plc = collections.Counter(x["placement"] for r in recs for x in r["pii"])
    print("\n%d documents, %d pii items, %d decoys" % (len(recs), sum(cat.values()),
                                                     sum(len(r["decoys"]) for r in recs)))
    splits = ["tune", "holdout"]
    by = {s: [r for r in recs if r["split"] == s] for s in splits}
    print("\npii per category            total   tune holdout")
    for c in CATEGORIES:
        print("  %-24s %6d %6d %6d" % (c, cat[c], *[sum(1 for r in by[s] for x in r["pii"] if x["category"] == c) for s in splits]))
    print("\npii per placement           total   tune holdout")
    for p in PLACEMENTS:
        print("  %-24s %6d %6d %6d" % (p, plc[p], *[sum(1 for r in by[s] for x in r["pii"] if x["placement"] == p) for s in splits]))
    print("\nper API (split, docs, pii, decoys)")
    for api in SPLIT:
        rs = [r for r in recs if r["api"] == api]
        print("  %-28s %-8s %4d %6d %6d" % (api, SPLIT[api], len(rs), sum(len(r["pii"]) for r in rs),
                                          sum(len(r["decoys"]) for r in rs)))
    print("\nper split (docs, pii, decoys)")
    for s in splits:
        print("  %-8s %5d %6d %6d" % (s, len(by[s]), sum(len(r["pii"]) for r in by[s]), sum(len(r["decoys"]) for r in by[s])))
    table("decoys per kind", collections.Counter(x["kind"] for r in recs for x in r["decoys"]))
    table("decoys per placement", collections.Counter(x["placement"] for r in recs for x in r["decoys"]))


def main():
    rng = random.Random(SEED)
    records = []
    failures = collections.Counter()
    for api in SPLIT:
        gen = GENERATORS[api]
        for i in range(DOCS_PER_API):
            wrapped = (i % 2 == 1)
            for attempt in range(50):
                d = Doc(api, rng)
                tree = gen(d, rng, wrapped)
                rec, err = finalize(d, tree, rng)
                if rec is not None:
                    records.append(rec)
                    break
                failures[(api, err.split(":")[0])] += 1
            else:
                raise SystemExit("could not generate %s: %s" % (api, err))
    with open(OUT, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    if failures:
        print("regenerated documents (validation rejects):", dict(failures), file=sys.stderr)
    print("wrote %d documents to %s (%d bytes)" % (len(records), OUT, os.path.getsize(OUT)))
    recs, problems = validate_file(OUT)
    for p in problems[:20]:
        print("PROBLEM", p)
    print("validation: %d lines checked, %d problems" % (len(recs), len(problems)))
    summary(recs)
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
