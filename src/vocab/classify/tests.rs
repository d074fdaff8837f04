use super::*;
use crate::vocab::{BUILTIN_CATEGORIES, builtin_keys};

fn meaning_of(key: &str, owner: Option<&str>) -> Meaning {
    decide(&Analysis::of(key), owner.map(Analysis::of).as_ref())
}

fn verdict(key: &str) -> Option<(&'static str, bool)> {
    meaning_of(key, None)
        .verdict()
        .map(|v| (v.category.name(), v.strong))
}

#[test]
fn the_seed_dictionaries_classify_as_their_category() {
    for category in BUILTIN_CATEGORIES {
        for key in builtin_keys(category).expect("listed") {
            assert_eq!(
                verdict(key).map(|v| v.0),
                Some(*category),
                "{key} should read as {category}"
            );
        }
    }
}

#[test]
fn banking_abbreviations_and_dialects() {
    let strong = [
        ("cust_nm", "name"),
        ("CUST_NM", "name"),
        ("payee_nm", "name"),
        ("holder_nm", "name"),
        ("acct_name", "name"),
        ("legal_person_name", "name"),
        ("corp_legal_person_nm", "name"),
        ("户名", "name"),
        ("持卡人", "name"),
        ("收件人", "name"),
        ("联系人姓名", "name"),
        ("mbl_no", "phone"),
        ("MOB_TEL", "phone"),
        ("phn", "phone"),
        ("bankReservedPhone", "phone"),
        ("brth_dt", "birth_date"),
        ("BTH_DT", "birth_date"),
        ("dob", "birth_date"),
        ("pspt_no", "passport"),
        ("pp_no", "passport"),
        ("rcvr_addr", "address"),
        ("jtzz", "address"),
        ("idt_no", "id_number"),
        ("IDNO", "id_number"),
        ("zjhm", "id_number"),
        ("sjhm", "phone"),
        ("csrq", "birth_date"),
        ("card_no", "bank_card"),
        ("银行卡号", "bank_card"),
        ("imei", "device"),
        ("lat", "location"),
    ];
    for (key, category) in strong {
        assert_eq!(verdict(key), Some((category, true)), "{key}");
    }
    let suggested = [
        ("name", "name"),
        ("nickname", "name"),
        ("user_name", "name"),
        ("contact", "name"),
        ("payee", "name"),
        ("certId", "id_number"),
        ("cert_no", "id_number"),
        ("identity", "id_number"),
        ("acct_no", "bank_card"),
        ("account", "bank_card"),
        ("device_id", "device"),
        ("location", "location"),
        ("photo", "biometric"),
    ];
    for (key, category) in suggested {
        assert_eq!(verdict(key), Some((category, false)), "{key}");
    }
}

#[test]
fn keys_that_are_not_a_persons() {
    for key in [
        "merchant_name",
        "merchantName",
        "shop_name",
        "store_address",
        "file_name",
        "bank_name",
        "opn_bnk_nm",
        "product_name",
        "goods_name",
        "corp_nm",
        "corp_acct_no",
        "company_address",
        "certSerial",
        "cert_sn",
        "sign_key_id",
        "encryptCertId",
        "cert_type",
        "id_type",
        "phone_md5",
        "customer_service_phone",
        "service_hotline",
        "province",
        "receiver_city",
        "delivery_addr_province",
        "app_name",
        "insurer_name",
    ] {
        assert!(
            matches!(
                meaning_of(key, None),
                Meaning::NotPersonal(_) | Meaning::Identifier(_) | Meaning::Region(_)
            ),
            "{key}: {:?}",
            meaning_of(key, None)
        );
    }
    // A role makes it the person's again.
    assert_eq!(verdict("merchant_contact_name"), Some(("name", true)));
    assert_eq!(verdict("bank_account_name"), Some(("name", true)));
    for key in ["order_no", "user_id", "customer_id", "amount", "status"] {
        assert!(meaning_of(key, None).verdict().is_none(), "{key}");
    }
}

/// A thing's or a transaction's number is an identifier (a mobile
/// number's shape under it is not a phone); a word that could make the
/// number a person's contact, document, account, device or login keeps it
/// out.
#[test]
fn identifiers_of_things_are_told_from_a_persons_numbers() {
    for key in [
        "goods_id",
        "order_no",
        "trade_no",
        "skuId",
        "waybill_no",
        "merchant_id",
        "item_code",
        "product_sn",
    ] {
        assert!(
            matches!(meaning_of(key, None), Meaning::Identifier(_)),
            "{key}: {:?}",
            meaning_of(key, None)
        );
    }
    for key in [
        "merchant_phone_no",
        "order_user_id",
        "order_mobile",
        "buyer_id",
        "payer_no",
        "store_card_no",
        "merchant_account_no",
        "goods_device_id",
        "certSerial",
        "order_email",
        "mobile",
        "user_id",
    ] {
        assert!(
            !matches!(meaning_of(key, None), Meaning::Identifier(_)),
            "{key}: {:?}",
            meaning_of(key, None)
        );
    }
}

#[test]
fn the_enclosing_key_owns_plain_attributes() {
    let not = |key, owner| {
        matches!(
            meaning_of(key, Some(owner)),
            Meaning::NotPersonal(_) | Meaning::Identifier(_) | Meaning::Region(_)
        )
    };
    assert!(not("address", "store_info"));
    assert!(not("name", "cargoDetails"));
    assert!(not("phone", "merchant"));
    assert!(meaning_of("name", Some("receiver")).verdict().is_some());
    assert!(
        meaning_of("name", Some("senderContact"))
            .verdict()
            .is_some()
    );
    // Where a shop's order is posted to is the buyer's.
    for (key, owner) in [
        ("post_addr", "shop_order_detail"),
        ("receiver", "merchant_order"),
        ("shipping_address", "storeTradeInfo"),
    ] {
        assert!(
            meaning_of(key, Some(owner)).verdict().is_some(),
            "{owner} > {key}"
        );
    }
    // A person's own field stays theirs under any owner.
    assert!(
        meaning_of("contact_name", Some("merchant"))
            .verdict()
            .is_some()
    );
}

#[test]
fn a_trip_end_before_a_coordinate_leaves_the_value_to_decide() {
    for key in ["tlat", "flng", "slat", "dlon"] {
        assert_eq!(verdict(key), Some(("location", false)), "{key}");
    }
    assert_eq!(verdict("lat"), Some(("location", true)));
    assert_eq!(verdict("post_receiver"), Some(("name", false)));
}

#[test]
fn a_name_behind_an_unknown_prefix_leaves_the_value_to_decide() {
    for key in ["eacnam", "eacnm", "zzname"] {
        assert_eq!(verdict(key), Some(("name", false)), "{key}");
    }
    // A known word before it still decides, and only names are read so.
    assert_eq!(verdict("prodnam"), None);
    assert_eq!(verdict("filenam"), None);
    assert_eq!(verdict("eacnbr"), None);
}

#[test]
fn why_names_the_words_that_decided() {
    let v = meaning_of("CUST_NM", None).verdict().expect("a name");
    assert_eq!(v.why.words(), ["cust", "nm"]);
    let v = meaning_of("sjhm", None).verdict().expect("a phone");
    assert_eq!(v.why.words(), ["手机", "号码"]);
    let json = serde_json::to_string(&v.why).expect("serializes");
    assert_eq!(json, r#"["手机","号码"]"#);
}

#[test]
fn address_keys_of_many_spellings() {
    for key in [
        "receiverAddress",
        "consignee_addr",
        "deliveryAddr",
        "addrDetail",
        "residence",
        "户籍地址",
        "addressLine1",
        "postal_address",
        "mailingAddress",
        "jzdz",
        "d_address",
        "live_addr",
        "idCardAddress",
        "post_addr",
        "end_address",
        "endAddr",
    ] {
        assert_eq!(verdict(key), Some(("address", true)), "{key}");
    }
    for key in ["postal_code", "zipcode", "company_addr", "postcode"] {
        assert_eq!(verdict(key), None, "{key}");
    }
}
