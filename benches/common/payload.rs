//! Deterministic, realistic Chinese payment payloads for the benches: users
//! with names, resident IDs (valid check digits), Luhn-valid cards, phones
//! and addresses, nested transactions, free-text remarks, and the usual
//! non-personal noise (order numbers, amounts, timestamps, status codes).

/// A small xorshift generator: fixed seed, same bytes on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛",
];
const CITIES: &[&str] = &[
    "北京市朝阳区",
    "上海市浦东新区",
    "广州市天河区",
    "深圳市南山区",
    "杭州市西湖区",
    "成都市武侯区",
];
const STREETS: &[&str] = &[
    "建国路",
    "世纪大道",
    "天河路",
    "科技园南路",
    "文三路",
    "人民南路",
];
const REGIONS: &[&str] = &["110105", "310115", "440106", "440305", "330106", "510107"];

pub fn resident_id(rng: &mut Rng) -> String {
    let body = format!(
        "{}{}{:02}{:02}{}",
        rng.pick(REGIONS),
        1950 + rng.below(55),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.digits(3)
    );
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

pub fn bank_card(rng: &mut Rng) -> String {
    let (prefix, len) = [
        ("622202", 19),
        ("622848", 16),
        ("4", 16),
        ("5", 16),
        ("620", 18),
    ][rng.below(5) as usize];
    let body = format!("{prefix}{}", rng.digits(len - prefix.len() - 1));
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

pub fn phone(rng: &mut Rng) -> String {
    format!("1{}{}", 3 + rng.below(7), rng.digits(9))
}

fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn address(rng: &mut Rng) -> String {
    format!(
        "{}{}{}号{}室",
        rng.pick(CITIES),
        rng.pick(STREETS),
        1 + rng.below(300),
        100 + rng.below(2000)
    )
}

fn transaction(rng: &mut Rng, i: usize) -> String {
    format!(
        r#"{{"txn_id":"T{:010}","amount":{}.{:02},"currency":"CNY","time":{},"status":"SUCCESS","channel":"UNIONPAY","payee_card":"{}","payee_name":"{}","merchant_code":"M{}","remark":"订单{}已支付，联系电话{}"}}"#,
        i,
        rng.below(100_000),
        rng.below(100),
        1_763_000_000_000 + rng.below(10_000_000),
        bank_card(rng),
        name(rng),
        rng.digits(9),
        rng.digits(18),
        phone(rng)
    )
}

/// One user record with its transactions, roughly 300 bytes + 330 per transaction.
fn record(rng: &mut Rng, transactions: usize) -> String {
    let txns: Vec<String> = (0..transactions).map(|i| transaction(rng, i)).collect();
    format!(
        r#"{{"user":{{"user_id":"U-{}","name":"{}","id_number":"{}","mobile":"{}","email":"user{}@example.com","address":"{}","device":{{"deviceId":"{:016x}","ip":"10.{}.{}.{}"}}}},"payment":{{"order_no":"{}","amount":"{}.{:02}","card_no":"{}","paid_at":"2026-11-23T15:30:00+08:00"}},"transactions":[{}],"remark":"客户{}来电咨询，身份证号{}，请回电{}。"}}"#,
        rng.digits(8),
        name(rng),
        resident_id(rng),
        phone(rng),
        rng.digits(6),
        address(rng),
        rng.next(),
        rng.below(256),
        rng.below(256),
        rng.below(256),
        rng.digits(21),
        rng.below(10_000),
        rng.below(100),
        bank_card(rng),
        txns.join(","),
        name(rng),
        resident_id(rng),
        phone(rng)
    )
}

/// A payload of about `target` bytes: one record for small sizes, a batch
/// (`{"batch":[...]}`) for large ones.
pub fn payload(target: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    if target <= 2048 {
        return record(&mut rng, 1).into_bytes();
    }
    let mut records = Vec::new();
    let mut size = 12;
    while size < target {
        let r = record(&mut rng, 3);
        size += r.len() + 1;
        records.push(r);
    }
    format!(
        r#"{{"batch_id":"B{}","records":[{}]}}"#,
        rng.digits(12),
        records.join(",")
    )
    .into_bytes()
}
