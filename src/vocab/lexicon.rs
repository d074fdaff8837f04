//! The words key names are made of, and what each means: English words and
//! the abbreviations banking and payment APIs use for them (`nm`, `addr`,
//! `brth`, `pspt`, `acct`, `cust`, `mbl` …), full pinyin, Chinese words, and
//! the words that say a field is *not* a person's (`merchant`, `bank`,
//! `file`, `serial`, `sign`, `type` …). Pinyin initials (`sjhm`, `jtzz`) are
//! not listed: [`super::pinyin`] derives them from the Chinese words here.

/// One meaning a token carries; a key's tokens add up to a set of them.
pub type Concepts = u64;

pub mod concept {
    use super::Concepts;
    /// A person's name (`name`, `nm`, `姓名`).
    pub const NAME: Concepts = 1 << 0;
    /// A thing's name or title (`名称`, `title`): personal only with a role.
    pub const THING_NAME: Concepts = 1 << 1;
    /// A person's role (`payee`, `holder`, `receiver`, `applicant`, `收件人`).
    pub const PERSON: Concepts = 1 << 2;
    /// `real`, `full`, `legal`, `given`, `first`, `last`: a name qualifier.
    pub const QUALIFIER: Concepts = 1 << 3;
    /// `en`, `pinyin`, `roman`: a name written in letters.
    pub const ROMANIZED: Concepts = 1 << 4;
    /// An identity document (`idcard`, `sfz`, `身份证`, `resident`).
    pub const ID_DOC: Concepts = 1 << 5;
    /// `identity`, `证件`: an identity, maybe a document.
    pub const IDENTITY: Concepts = 1 << 6;
    /// `id`: alone an identifier of anything.
    pub const ID: Concepts = 1 << 7;
    /// `cert`, `certif`: a certificate, an identity document or a signing key's.
    pub const CERT: Concepts = 1 << 8;
    /// `no`, `num`, `number`, `号码`.
    pub const NUMBER: Concepts = 1 << 9;
    pub const PASSPORT: Concepts = 1 << 10;
    pub const PHONE: Concepts = 1 << 11;
    pub const EMAIL: Concepts = 1 << 12;
    pub const ADDRESS: Concepts = 1 << 13;
    /// `home`, `家庭`, `户籍`, `residential`.
    pub const HOME: Concepts = 1 << 14;
    /// `province`, `city`, `district`, `zip`, `country`: a place, not an address.
    pub const COARSE: Concepts = 1 << 15;
    pub const BIRTH: Concepts = 1 << 16;
    pub const DATE: Concepts = 1 << 17;
    pub const CARD: Concepts = 1 << 18;
    pub const ACCOUNT: Concepts = 1 << 19;
    /// `bank`: owns names, phones and addresses that are not a person's,
    /// but a bank card or account is the person's.
    pub const BANK: Concepts = 1 << 20;
    /// `face`, `fingerprint`, `iris`, `voiceprint`, `selfie`, `人脸`.
    pub const BIO: Concepts = 1 << 21;
    /// `image`, `photo`, `pic`, `照片`.
    pub const IMAGE: Concepts = 1 << 22;
    /// `imei`, `imsi`, `idfa`, `oaid`, `android_id` …
    pub const DEVICE_ID: Concepts = 1 << 23;
    pub const DEVICE: Concepts = 1 << 24;
    /// `mac`: a MAC address, or a message authentication code.
    pub const MAC: Concepts = 1 << 25;
    /// `latitude`, `lng`, `gps`, `经度`.
    pub const COORDINATE: Concepts = 1 << 26;
    /// `location`, `position`, `位置`: coordinates, or a job title.
    pub const PLACE: Concepts = 1 << 27;
    /// An owner that is not a person (`merchant`, `shop`, `company`,
    /// `product`, `cargo`, `file`, `app`): its name, phone and address are
    /// not personal data unless a role says otherwise (`merchant_contact_name`).
    pub const OWNER: Concepts = 1 << 28;
    /// Never personal, whatever else the key says (`serial`, `sign`, `type`,
    /// `status`, `url`, `hash`, `customer service`).
    pub const NEGATIVE: Concepts = 1 << 29;
    /// `reserved`, `bind`, `预留`: the person's own (`bankReservedPhone`).
    pub const RESERVED: Concepts = 1 << 30;
    /// `user`, `member`, `nick`: a person, or only their login.
    pub const USER: Concepts = 1 << 31;
    /// `holder`, `持卡人`: the person a card or account belongs to.
    pub const HOLDER: Concepts = 1 << 32;
    /// `service`, `hotline`: with a role (`customer service`) still negative.
    pub const SERVICE: Concepts = 1 << 33;
    /// `serial`, `sn`: a device's serial, or a certificate's.
    pub const SERIAL: Concepts = 1 << 34;
    /// `detail`, `full`, `line`, `street`, `详细`: the personal part of an address.
    pub const DETAIL: Concepts = 1 << 35;
    /// `ip`: an IP address (found by shape; no key dictionary).
    pub const IP: Concepts = 1 << 36;
}

use concept::*;

/// Every word, lowercase ASCII or Chinese, with its concepts.
#[rustfmt::skip] // one meaning per line reads better than one word per line
pub const WORDS: &[(&str, Concepts)] = &[
    // names
    ("name", NAME), ("names", NAME), ("nm", NAME), ("xm", NAME | QUALIFIER), ("nam", NAME), ("xingming", NAME | QUALIFIER), ("mingzi", NAME),
    ("surname", NAME | QUALIFIER), ("firstname", NAME | QUALIFIER), ("lastname", NAME | QUALIFIER),
    ("givenname", NAME | QUALIFIER), ("fullname", NAME | QUALIFIER), ("realname", NAME | QUALIFIER),
    ("姓名", NAME | QUALIFIER), ("名字", NAME), ("姓", NAME | QUALIFIER), ("名", NAME), ("名称", THING_NAME), ("title", THING_NAME),
    ("real", QUALIFIER), ("full", QUALIFIER | DETAIL), ("true", QUALIFIER), ("legal", QUALIFIER), ("given", QUALIFIER),
    ("first", QUALIFIER), ("last", QUALIFIER), ("family", QUALIFIER), ("middle", QUALIFIER), ("sur", QUALIFIER),
    ("真实", QUALIFIER), ("法定", QUALIFIER),
    ("en", ROMANIZED), ("eng", ROMANIZED), ("english", ROMANIZED), ("pinyin", ROMANIZED), ("roman", ROMANIZED),
    ("spell", ROMANIZED), ("latin", ROMANIZED), ("英文", ROMANIZED), ("拼音", ROMANIZED),
    // people
    ("customer", PERSON), ("cust", PERSON), ("cus", PERSON), ("cst", PERSON), ("client", PERSON), ("clt", PERSON),
    ("holder", HOLDER), ("hldr", HOLDER), ("cardholder", HOLDER | CARD), ("owner", HOLDER),
    ("payer", PERSON), ("pyr", PERSON), ("payee", PERSON), ("pye", PERSON), ("receiver", PERSON), ("rcvr", PERSON),
    ("recv", PERSON), ("rcv", PERSON), ("recipient", PERSON), ("consignee", PERSON), ("sender", PERSON),
    ("sndr", PERSON), ("shipper", PERSON), ("consignor", PERSON), ("contact", PERSON), ("ctct", PERSON),
    ("cntct", PERSON), ("applicant", PERSON), ("appl", PERSON), ("aplcnt", PERSON), ("insurant", PERSON),
    ("insured", PERSON), ("policyholder", PERSON), ("beneficiary", PERSON), ("bnfcry", PERSON), ("buyer", PERSON),
    ("passenger", PERSON), ("guest", PERSON), ("traveler", PERSON), ("traveller", PERSON), ("visitor", PERSON),
    ("occupant", PERSON), ("patient", PERSON), ("guarantor", PERSON), ("borrower", PERSON), ("debtor", PERSON),
    ("employee", PERSON), ("emp", PERSON), ("staff", PERSON), ("person", PERSON), ("psn", PERSON),
    ("pers", PERSON), ("individual", PERSON), ("indv", PERSON), ("personal", PERSON), ("spouse", PERSON),
    ("emergency", PERSON), ("relative", PERSON), ("driver", PERSON), ("tenant", PERSON), ("signer", PERSON),
    ("agent", PERSON), ("operator", PERSON), ("legalperson", PERSON | QUALIFIER), ("representative", PERSON),
    ("rep", PERSON), ("delivery", PERSON), ("dlvry", PERSON), ("shipping", PERSON), ("ship", PERSON),
    ("billing", PERSON), ("bill", PERSON), ("mailing", PERSON), ("post", PERSON), ("postal", PERSON),
    ("consumer", PERSON), ("investor", PERSON),
    ("user", USER), ("usr", USER), ("member", USER), ("mbr", USER), ("nick", USER), ("nickname", USER | NAME),
    ("username", USER | NAME), ("login", USER), ("account_holder", HOLDER),
    ("客户", PERSON), ("用户", USER), ("持卡人", HOLDER | NAME), ("户名", HOLDER | NAME), ("开户名", HOLDER | NAME),
    ("联系人", PERSON | NAME), ("收件人", PERSON | NAME), ("收货人", PERSON | NAME), ("收款人", PERSON | NAME),
    ("付款人", PERSON | NAME), ("寄件人", PERSON | NAME), ("发件人", PERSON | NAME), ("签收人", PERSON | NAME),
    ("申请人", PERSON), ("投保人", PERSON), ("被保险人", PERSON), ("被保人", PERSON), ("受益人", PERSON),
    ("借款人", PERSON), ("担保人", PERSON), ("法人", PERSON | QUALIFIER), ("经办人", PERSON), ("乘客", PERSON),
    ("患者", PERSON), ("本人", PERSON), ("个人", PERSON), ("紧急", PERSON), ("收货", PERSON), ("收件", PERSON),
    ("寄件", PERSON), ("发件", PERSON), ("收款", PERSON), ("付款", PERSON), ("联系", PERSON),
    // identity documents
    ("idcard", ID_DOC), ("identitycard", ID_DOC), ("resident", ID_DOC), ("residentid", ID_DOC),
    ("citizen", ID_DOC), ("national", ID_DOC), ("nationalid", ID_DOC), ("sfz", ID_DOC), ("sfzh", ID_DOC | NUMBER),
    ("sfzhm", ID_DOC | NUMBER), ("shenfenzheng", ID_DOC), ("shenfenzhenghao", ID_DOC | NUMBER), ("idno", ID_DOC | NUMBER),
    ("idnumber", ID_DOC | NUMBER), ("identity", IDENTITY), ("ident", IDENTITY), ("idt", IDENTITY), ("iden", IDENTITY),
    ("idnt", IDENTITY), ("credential", IDENTITY), ("crdntl", IDENTITY), ("document", IDENTITY), ("doc", IDENTITY),
    ("id", ID), ("cert", CERT), ("certif", CERT), ("certificate", CERT), ("crtf", CERT), ("ctf", CERT),
    ("身份证", ID_DOC), ("身份", IDENTITY), ("公民身份", ID_DOC), ("居民身份证", ID_DOC), ("证件", IDENTITY),
    ("证", CERT), ("证号", ID_DOC | NUMBER),
    ("no", NUMBER), ("num", NUMBER), ("nbr", NUMBER), ("nmbr", NUMBER), ("number", NUMBER), ("code", NUMBER),
    ("号", NUMBER), ("号码", NUMBER), ("编号", NUMBER), ("hao", NUMBER), ("haoma", NUMBER),
    ("passport", PASSPORT), ("pspt", PASSPORT), ("psprt", PASSPORT), ("pp", PASSPORT),
    ("huzhao", PASSPORT), ("护照", PASSPORT), ("travel", PASSPORT),
    // contact
    ("phone", PHONE), ("phn", PHONE), ("ph", PHONE), ("mobile", PHONE), ("mob", PHONE), ("mbl", PHONE),
    ("mbl", PHONE), ("mobi", PHONE), ("tel", PHONE), ("tele", PHONE), ("telephone", PHONE), ("telno", PHONE | NUMBER),
    ("cell", PHONE), ("cellphone", PHONE), ("msisdn", PHONE), ("fax", PHONE), ("landline", PHONE),
    ("shouji", PHONE), ("shoujihao", PHONE | NUMBER), ("dianhua", PHONE), ("手机", PHONE), ("电话", PHONE),
    ("移动电话", PHONE), ("联系方式", PHONE), ("座机", PHONE),
    ("email", EMAIL), ("mail", EMAIL), ("eml", EMAIL), ("emailaddress", EMAIL), ("mailbox", EMAIL),
    ("youxiang", EMAIL), ("邮箱", EMAIL), ("邮件", EMAIL), ("电子邮箱", EMAIL),
    ("address", ADDRESS), ("addr", ADDRESS), ("adr", ADDRESS), ("adrs", ADDRESS), ("addrs", ADDRESS),
    ("residence", ADDRESS | HOME), ("domicile", ADDRESS | HOME), ("street", ADDRESS | DETAIL),
    ("dizhi", ADDRESS), ("zhuzhi", ADDRESS | HOME), ("地址", ADDRESS), ("住址", ADDRESS | HOME),
    ("居住地", ADDRESS | HOME), ("住所", ADDRESS | HOME), ("home", HOME), ("家庭", HOME), ("户籍", HOME),
    ("居住", HOME), ("现住", HOME), ("residential", HOME), ("detail", DETAIL), ("dtl", DETAIL), ("line", DETAIL),
    ("详细", DETAIL),
    ("province", COARSE), ("prov", COARSE), ("city", COARSE), ("county", COARSE), ("district", COARSE),
    ("area", COARSE), ("region", COARSE), ("country", COARSE), ("nation", COARSE), ("zip", COARSE),
    ("zipcode", COARSE), ("postcode", COARSE), ("town", COARSE),
    ("place", COARSE), ("省", COARSE), ("市", COARSE), ("区", COARSE), ("县", COARSE), ("邮编", COARSE),
    ("省份", COARSE), ("城市", COARSE), ("国家", COARSE), ("地区", COARSE), ("籍贯", COARSE),
    // dates
    ("birth", BIRTH), ("brth", BIRTH), ("bth", BIRTH), ("brt", BIRTH), ("birthday", BIRTH), ("bday", BIRTH),
    ("dob", BIRTH), ("born", BIRTH), ("birthdate", BIRTH | DATE), ("shengri", BIRTH), ("出生", BIRTH),
    ("生日", BIRTH), ("出生日期", BIRTH | DATE), ("出生年月", BIRTH | DATE),
    ("date", DATE), ("dt", DATE), ("day", DATE), ("日期", DATE), ("年月", DATE),
    // money
    ("card", CARD), ("crd", CARD), ("pan", CARD), ("bankcard", CARD | BANK), ("creditcard", CARD),
    ("debitcard", CARD), ("yhk", CARD), ("yinhangka", CARD), ("yinhangkahao", CARD | NUMBER),
    ("卡", CARD), ("卡号", CARD | NUMBER), ("银行卡", CARD | BANK), ("信用卡", CARD), ("借记卡", CARD),
    ("account", ACCOUNT), ("acct", ACCOUNT), ("acc", ACCOUNT), ("act", ACCOUNT), ("accnt", ACCOUNT),
    ("账号", ACCOUNT), ("账户", ACCOUNT), ("帐号", ACCOUNT), ("帐户", ACCOUNT),
    ("bank", BANK), ("bnk", BANK), ("银行", BANK), ("开户行", BANK | OWNER), ("branch", OWNER), ("brnch", OWNER),
    ("brch", OWNER),
    // biometrics and devices
    ("face", BIO), ("facial", BIO), ("fingerprint", BIO), ("finger", BIO), ("iris", BIO), ("voiceprint", BIO),
    ("voice", BIO), ("palmprint", BIO), ("palm", BIO), ("selfie", BIO), ("liveness", BIO), ("portrait", BIO),
    ("biometric", BIO), ("biometrics", BIO), ("renlian", BIO), ("zhiwen", BIO), ("人脸", BIO), ("指纹", BIO),
    ("虹膜", BIO), ("声纹", BIO), ("掌纹", BIO), ("活体", BIO), ("人像", BIO),
    ("image", IMAGE), ("img", IMAGE), ("photo", IMAGE), ("pic", IMAGE), ("picture", IMAGE), ("照片", IMAGE),
    ("图片", IMAGE), ("图像", IMAGE), ("影像", IMAGE), ("头像", IMAGE), ("avatar", IMAGE),
    ("imei", DEVICE_ID), ("imsi", DEVICE_ID), ("meid", DEVICE_ID), ("iccid", DEVICE_ID), ("idfa", DEVICE_ID),
    ("idfv", DEVICE_ID), ("oaid", DEVICE_ID), ("udid", DEVICE_ID), ("androidid", DEVICE_ID), ("gaid", DEVICE_ID),
    ("device", DEVICE), ("dev", DEVICE), ("terminal", DEVICE), ("term", DEVICE), ("设备", DEVICE),
    ("设备号", DEVICE | NUMBER), ("shebeihao", DEVICE | NUMBER), ("android", DEVICE), ("mac", MAC),
    ("serial", SERIAL), ("sn", SERIAL),
    ("latitude", COORDINATE), ("longitude", COORDINATE), ("lat", COORDINATE), ("lng", COORDINATE),
    ("lon", COORDINATE), ("gps", COORDINATE), ("geo", COORDINATE),
    ("coordinate", COORDINATE), ("coordinates", COORDINATE), ("coord", COORDINATE), ("weidu", COORDINATE),
    ("jingdu", COORDINATE), ("经度", COORDINATE), ("纬度", COORDINATE), ("定位", COORDINATE),
    ("location", PLACE), ("loc", PLACE), ("position", PLACE), ("pos", PLACE), ("位置", PLACE),
    ("地理位置", PLACE),
    // owners that are not people
    ("merchant", OWNER), ("mer", OWNER), ("mch", OWNER), ("mcht", OWNER), ("mchnt", OWNER), ("mrch", OWNER),
    ("shop", OWNER), ("store", OWNER), ("seller", OWNER), ("company", OWNER), ("corp", OWNER),
    ("corporate", OWNER), ("cmpy", OWNER), ("comp", OWNER), ("co", OWNER), ("org", OWNER),
    ("organization", OWNER), ("organisation", OWNER), ("enterprise", OWNER), ("ent", OWNER), ("firm", OWNER),
    ("institution", OWNER), ("inst", OWNER), ("agency", OWNER), ("insurer", OWNER), ("issuer", OWNER),
    ("product", OWNER), ("prod", OWNER), ("prd", OWNER), ("goods", OWNER), ("good", OWNER), ("item", OWNER),
    ("sku", OWNER), ("commodity", OWNER), ("cargo", OWNER), ("cargoes", OWNER), ("ware", OWNER),
    ("file", OWNER), ("filename", OWNER), ("attachment", OWNER), ("app", OWNER), ("application", OWNER),
    ("brand", OWNER), ("platform", OWNER), ("channel", OWNER), ("partner", OWNER), ("vendor", OWNER),
    ("supplier", OWNER), ("school", OWNER), ("hospital", OWNER), ("project", OWNER), ("event", OWNER),
    ("activity", OWNER), ("campaign", OWNER), ("plan", OWNER), ("category", OWNER), ("model", OWNER),
    ("os", OWNER), ("browser", OWNER), ("carrier", OWNER), ("network", OWNER), ("host", OWNER),
    ("server", OWNER), ("domain", OWNER), ("site", OWNER), ("web", OWNER), ("wallet", OWNER),
    ("商户", OWNER), ("商家", OWNER), ("门店", OWNER), ("店铺", OWNER), ("公司", OWNER), ("企业", OWNER),
    ("机构", OWNER), ("单位", OWNER), ("商品", OWNER), ("产品", OWNER), ("货物", OWNER), ("文件", OWNER),
    ("应用", OWNER), ("品牌", OWNER), ("平台", OWNER), ("渠道", OWNER),
    // never personal
    ("service", SERVICE), ("svc", SERVICE), ("hotline", SERVICE), ("kefu", SERVICE), ("客服", SERVICE),
    ("服务", SERVICE), ("sign", NEGATIVE), ("signature", NEGATIVE), ("signed", NEGATIVE), ("key", NEGATIVE),
    ("nonce", NEGATIVE), ("token", NEGATIVE), ("hash", NEGATIVE), ("md5", NEGATIVE), ("sha", NEGATIVE),
    ("sha1", NEGATIVE), ("sha256", NEGATIVE), ("digest", NEGATIVE), ("secret", NEGATIVE), ("salt", NEGATIVE),
    ("hmac", NEGATIVE), ("encrypt", NEGATIVE), ("encrypted", NEGATIVE), ("enc", NEGATIVE), ("cipher", NEGATIVE),
    ("type", NEGATIVE), ("tp", NEGATIVE), ("typ", NEGATIVE), ("kind", NEGATIVE), ("status", NEGATIVE),
    ("stat", NEGATIVE), ("state", NEGATIVE), ("flag", NEGATIVE), ("count", NEGATIVE), ("cnt", NEGATIVE),
    ("url", NEGATIVE), ("uri", NEGATIVE), ("link", NEGATIVE), ("path", NEGATIVE), ("format", NEGATIVE),
    ("fmt", NEGATIVE), ("version", NEGATIVE), ("ver", NEGATIVE), ("lang", NEGATIVE), ("language", NEGATIVE),
    ("mask", NEGATIVE), ("masked", NEGATIVE), ("verified", NEGATIVE), ("verify", NEGATIVE), ("valid", NEGATIVE),
    ("validity", NEGATIVE), ("expire", NEGATIVE), ("expiry", NEGATIVE), ("expires", NEGATIVE),
    ("exp", NEGATIVE), ("period", NEGATIVE), ("result", NEGATIVE), ("len", NEGATIVE), ("length", NEGATIVE),
    ("level", NEGATIVE), ("bin", NEGATIVE), ("is", NEGATIVE), ("has", NEGATIVE), ("need", NEGATIVE),
    ("check", NEGATIVE), ("error", NEGATIVE), ("err", NEGATIVE),
    ("time", NEGATIVE), ("timestamp", NEGATIVE), ("tm", NEGATIVE), ("amount", NEGATIVE), ("amt", NEGATIVE),
    ("fee", NEGATIVE), ("price", NEGATIVE), ("currency", NEGATIVE), ("order", NEGATIVE), ("trade", NEGATIVE),
    ("txn", NEGATIVE), ("trans", NEGATIVE), ("transaction", NEGATIVE), ("batch", NEGATIVE), ("seq", NEGATIVE),
    ("trace", NEGATIVE), ("log", NEGATIVE), ("request", NEGATIVE), ("req", NEGATIVE), ("biz", NEGATIVE),
    ("qr", NEGATIVE), ("barcode", NEGATIVE), ("tracking", NEGATIVE), ("waybill", NEGATIVE), ("mode", NEGATIVE),
    ("scene", NEGATIVE), ("scope", NEGATIVE), ("limit", NEGATIVE), ("max", NEGATIVE), ("min", NEGATIVE),
    ("size", NEGATIVE), ("width", NEGATIVE), ("height", NEGATIVE), ("top", NEGATIVE), ("left", NEGATIVE),
    ("类型", NEGATIVE), ("状态", NEGATIVE), ("签名", NEGATIVE), ("密钥", NEGATIVE), ("有效期", NEGATIVE),
    ("金额", NEGATIVE), ("订单", NEGATIVE), ("时间", NEGATIVE), ("备注", NEGATIVE), ("数量", NEGATIVE),
    ("reserved", RESERVED), ("rsv", RESERVED), ("bind", RESERVED), ("bound", RESERVED), ("binding", RESERVED),
    ("own", RESERVED), ("my", RESERVED), ("预留", RESERVED), ("绑定", RESERVED),
    ("ip", IP), ("ipaddr", IP), ("ipv4", IP), ("ipv6", IP),
    // fillers: known, so run-together keys split around them, and meaning nothing
    ("info", 0), ("information", 0), ("of", 0), ("the", 0), ("for", 0), ("data", 0), ("value", 0), ("val", 0),
    ("str", 0), ("text", 0), ("txt", 0), ("ocr", 0), ("new", 0), ("old", 0), ("main", 0), ("primary", 0),
    ("secondary", 0), ("other", 0), ("alt", 0), ("base64", 0), ("b64", 0), ("raw", 0), ("list", 0),
    ("dtls", 0), ("desc", 0), ("description", 0), ("remark", 0), ("memo", 0), ("note", 0), ("msg", 0),
    ("message", 0), ("comment", 0), ("param", 0), ("params", 0), ("信息", 0), ("的", 0), ("人", 0), ("open", 0), ("opn", 0),
];

/// Keys that carry the value of the key above them rather than name it
/// (`{"姓名": {"words": "张三"}}`, `{"phone": {"value": …}}`).
pub const CARRIERS: &[&str] = &[
    "words", "word", "value", "val", "v", "text", "content", "data", "raw",
];
