//! The demo grocery catalog: categories and products in Polish, English and Turkish.
//!
//! Each item comes in one or more sizes; every size is its own product (own SKU, price and
//! stock), as a shop lists them. Prices are gross grosze.

/// A demo category and its items.
pub struct CategorySeed {
    /// URL slug.
    pub slug: &'static str,
    /// Names: Polish, English, Turkish.
    pub names: [&'static str; 3],
    /// Default VAT rate of its items, in basis points.
    pub vat_bp: i32,
    /// `ambient`, `chilled` or `frozen`.
    pub storage: &'static str,
    /// Hue of its generated images.
    pub hue: u16,
    /// Its items.
    pub items: &'static [ItemSeed],
}

/// A demo item; one product per size.
pub struct ItemSeed {
    /// Slug stem; the size is appended.
    pub slug: &'static str,
    /// Names: Polish, English, Turkish.
    pub names: [&'static str; 3],
    /// Brand.
    pub brand: &'static str,
    /// `g`, `ml` or `pcs`.
    pub unit: &'static str,
    /// (net quantity, gross price in grosze) per size.
    pub sizes: &'static [(i32, i64)],
    /// EU allergen codes.
    pub allergens: &'static [&'static str],
    /// Labels.
    pub badges: &'static [&'static str],
    /// Country of origin.
    pub origin: &'static str,
    /// VAT rate when it differs from the category's.
    pub vat_bp: Option<i32>,
}

macro_rules! item {
    ($slug:literal, [$pl:literal, $en:literal, $tr:literal], $brand:literal, $unit:literal,
     [$(($q:literal, $p:literal)),+], [$($a:literal),*], [$($b:literal),*], $origin:literal $(, vat $vat:literal)?) => {
        ItemSeed {
            slug: $slug,
            names: [$pl, $en, $tr],
            brand: $brand,
            unit: $unit,
            sizes: &[$(($q, $p)),+],
            allergens: &[$($a),*],
            badges: &[$($b),*],
            origin: $origin,
            vat_bp: item!(@vat $($vat)?),
        }
    };
    (@vat) => { None };
    (@vat $vat:literal) => { Some($vat) };
}

/// The whole demo catalog, one item per line.
#[rustfmt::skip]
pub const CATALOG: &[CategorySeed] = &[
    CategorySeed {
        slug: "nabial",
        names: ["Nabiał i jaja", "Dairy and eggs", "Süt ürünleri ve yumurta"],
        vat_bp: 500,
        storage: "chilled",
        hue: 205,
        items: &[
            item!("mleko-3-2", ["Mleko 3,2%", "Milk 3.2%", "Süt %3,2"], "Mlekovita", "ml", [(1000, 429), (500, 259)], ["milk"], ["vegetarian"], "PL"),
            item!("maslo-extra", ["Masło extra 82%", "Butter 82%", "Tereyağı %82"], "Łaciate", "g", [(200, 799), (100, 449)], ["milk"], ["vegetarian", "bestseller"], "PL"),
            item!("jogurt-naturalny", ["Jogurt naturalny", "Natural yoghurt", "Sade yoğurt"], "Bakoma", "g", [(400, 399), (180, 219)], ["milk"], ["vegetarian"], "PL"),
            item!("kefir", ["Kefir", "Kefir", "Kefir"], "Robico", "ml", [(1000, 599), (400, 319)], ["milk"], ["vegetarian"], "PL"),
            item!("twarog-poltlusty", ["Twaróg półtłusty", "Quark cheese, semi-skimmed", "Yarım yağlı lor peyniri"], "Piątnica", "g", [(250, 549), (500, 999)], ["milk"], ["vegetarian"], "PL"),
            item!("ser-gouda", ["Ser gouda w plastrach", "Gouda cheese, sliced", "Dilimlenmiş gouda peyniri"], "Serenada", "g", [(150, 699), (300, 1299)], ["milk"], ["vegetarian"], "PL"),
            item!("ser-bialy-salamura", ["Ser biały w solance", "White brine cheese", "Beyaz peynir"], "Pınar", "g", [(500, 2199), (1000, 3999)], ["milk"], ["vegetarian", "halal"], "TR"),
            item!("jaja-wolny-wybieg", ["Jaja z wolnego wybiegu", "Free-range eggs", "Gezen tavuk yumurtası"], "Ferma Wiejska", "pcs", [(10, 1299), (6, 849)], ["eggs"], ["vegetarian"], "PL"),
            item!("smietana-18", ["Śmietana 18%", "Sour cream 18%", "Ekşi krema %18"], "Piątnica", "ml", [(200, 349), (400, 599)], ["milk"], ["vegetarian"], "PL"),
        ],
    },
    CategorySeed {
        slug: "pieczywo",
        names: ["Pieczywo", "Bakery", "Fırın ürünleri"],
        vat_bp: 500,
        storage: "ambient",
        hue: 35,
        items: &[
            item!("chleb-zytni", ["Chleb żytni na zakwasie", "Sourdough rye bread", "Ekşi mayalı çavdar ekmeği"], "Piekarnia Oskroba", "g", [(500, 749), (1000, 1199)], ["gluten"], ["vegan"], "PL"),
            item!("chleb-pszenny", ["Chleb pszenny", "Wheat bread", "Buğday ekmeği"], "Piekarnia Oskroba", "g", [(500, 549), (750, 749)], ["gluten"], ["vegan"], "PL"),
            item!("bulki-kajzerki", ["Bułki kajzerki", "Kaiser rolls", "Kaiser çörekleri"], "Piekarnia Oskroba", "pcs", [(4, 399), (10, 899)], ["gluten"], ["vegan"], "PL"),
            item!("bagietka", ["Bagietka francuska", "French baguette", "Fransız baget"], "Le Pain", "g", [(250, 449), (400, 649)], ["gluten"], ["vegan"], "FR"),
            item!("chleb-pelnoziarnisty", ["Chleb pełnoziarnisty", "Wholegrain bread", "Tam tahıllı ekmek"], "Putka", "g", [(500, 899), (300, 649)], ["gluten", "sesame"], ["vegan"], "PL"),
            item!("simit", ["Simit z sezamem", "Sesame simit", "Susamlı simit"], "Simit Sarayı", "pcs", [(2, 599), (6, 1599)], ["gluten", "sesame"], ["vegan", "halal"], "TR"),
            item!("lawasz", ["Chlebek lawasz", "Lavash flatbread", "Lavaş"], "Untad", "g", [(250, 599), (500, 1049)], ["gluten"], ["vegan", "halal"], "TR"),
            item!("croissant-maslany", ["Croissant maślany", "Butter croissant", "Tereyağlı kruvasan"], "Le Pain", "pcs", [(4, 999), (8, 1799)], ["gluten", "milk", "eggs"], ["vegetarian"], "FR", vat 800),
            item!("bulki-grahamki", ["Bułki grahamki", "Graham rolls", "Graham çörekleri"], "Piekarnia Oskroba", "pcs", [(4, 499), (8, 899)], ["gluten"], ["vegan"], "PL"),
        ],
    },
    CategorySeed {
        slug: "owoce-i-warzywa",
        names: ["Owoce i warzywa", "Fruit and vegetables", "Meyve ve sebze"],
        vat_bp: 500,
        storage: "ambient",
        hue: 110,
        items: &[
            item!("jablka-ligol", ["Jabłka Ligol", "Ligol apples", "Ligol elması"], "Sady Grójeckie", "g", [(1000, 499), (2000, 899)], [], ["vegan"], "PL"),
            item!("banany", ["Banany", "Bananas", "Muz"], "Chiquita", "g", [(1000, 699), (500, 379)], [], ["vegan"], "EC"),
            item!("pomidory", ["Pomidory malinowe", "Raspberry tomatoes", "Pembe domates"], "Gospodarstwo Nowak", "g", [(500, 899), (1000, 1699)], [], ["vegan"], "PL"),
            item!("ziemniaki", ["Ziemniaki młode", "New potatoes", "Taze patates"], "Gospodarstwo Nowak", "g", [(2000, 799), (5000, 1799)], [], ["vegan"], "PL"),
            item!("marchew", ["Marchew", "Carrots", "Havuç"], "Gospodarstwo Nowak", "g", [(1000, 349), (2000, 649)], [], ["vegan"], "PL"),
            item!("cebula", ["Cebula żółta", "Yellow onions", "Sarı soğan"], "Gospodarstwo Nowak", "g", [(1000, 399), (3000, 999)], [], ["vegan"], "PL"),
            item!("ogorki", ["Ogórki gruntowe", "Field cucumbers", "Tarla salatalığı"], "Gospodarstwo Nowak", "g", [(500, 599), (1000, 1099)], [], ["vegan"], "PL"),
            item!("cytryny", ["Cytryny", "Lemons", "Limon"], "Frutas Levante", "g", [(500, 599), (1000, 1099)], [], ["vegan"], "ES"),
            item!("pomarancze", ["Pomarańcze", "Oranges", "Portakal"], "Frutas Levante", "g", [(1000, 699), (2000, 1299)], [], ["vegan"], "ES"),
        ],
    },
    CategorySeed {
        slug: "mieso-i-wedliny",
        names: ["Mięso i wędliny", "Meat and cold cuts", "Et ve şarküteri"],
        vat_bp: 500,
        storage: "chilled",
        hue: 0,
        items: &[
            item!("filet-z-kurczaka", ["Filet z piersi kurczaka", "Chicken breast fillet", "Tavuk göğüs fileto"], "Drosed", "g", [(500, 1699), (1000, 3199)], [], ["halal"], "PL"),
            item!("wolowina-mielona", ["Wołowina mielona", "Minced beef", "Dana kıyma"], "Sokołów", "g", [(400, 1999), (800, 3799)], [], ["halal"], "PL"),
            item!("schab-bez-kosci", ["Schab bez kości", "Boneless pork loin", "Kemiksiz domuz fileto"], "Sokołów", "g", [(500, 1599), (1000, 2999)], [], [], "PL"),
            item!("indyk-poledwiczka", ["Polędwiczka z indyka", "Turkey tenderloin", "Hindi bonfile"], "Indykpol", "g", [(400, 2299), (800, 4399)], [], ["halal"], "PL"),
            item!("kabanosy", ["Kabanosy wieprzowe", "Pork kabanos sausages", "Domuz kabanos sucuk"], "Tarczyński", "g", [(105, 899), (300, 2299)], [], ["bestseller"], "PL"),
            item!("szynka-gotowana", ["Szynka gotowana", "Cooked ham", "Haşlanmış jambon"], "Krakus", "g", [(150, 899), (300, 1699)], [], [], "PL"),
            item!("sucuk", ["Kiełbasa sucuk wołowa", "Beef sucuk sausage", "Dana sucuk"], "Namet", "g", [(250, 2199), (500, 3999)], [], ["halal"], "TR"),
            item!("udka-z-kurczaka", ["Udka z kurczaka", "Chicken drumsticks", "Tavuk baget"], "Drosed", "g", [(1000, 1499), (2000, 2799)], [], ["halal"], "PL"),
        ],
    },
    CategorySeed {
        slug: "ryby",
        names: [
            "Ryby i owoce morza",
            "Fish and seafood",
            "Balık ve deniz ürünleri",
        ],
        vat_bp: 500,
        storage: "chilled",
        hue: 190,
        items: &[
            item!("losos-filet", ["Łosoś atlantycki, filet", "Atlantic salmon fillet", "Atlantik somon fileto"], "Morpol", "g", [(250, 2499), (500, 4699)], ["fish"], ["halal"], "NO"),
            item!("makrela-wedzona", ["Makrela wędzona", "Smoked mackerel", "Füme uskumru"], "Koral", "g", [(300, 1199), (600, 2199)], ["fish"], ["halal"], "PL"),
            item!("tunczyk-w-sosie-wlasnym", ["Tuńczyk w sosie własnym", "Tuna in brine", "Salamura ton balığı"], "Graal", "g", [(170, 799), (510, 2199)], ["fish"], ["halal"], "TH"),
            item!("sledz-w-oleju", ["Śledź w oleju", "Herring in oil", "Yağda ringa"], "Lisner", "g", [(300, 1099), (600, 1999)], ["fish"], [], "PL"),
            item!("dorsz-filet", ["Dorsz, filet bez skóry", "Skinless cod fillet", "Derisiz morina fileto"], "Morpol", "g", [(400, 3199), (800, 5999)], ["fish"], ["halal"], "NO"),
            item!("krewetki", ["Krewetki koktajlowe", "Cocktail prawns", "Kokteyl karides"], "Koral", "g", [(200, 1999), (400, 3699)], ["crustaceans"], ["halal"], "VN"),
            item!("sardynki-w-oleju", ["Sardynki w oleju", "Sardines in oil", "Yağda sardalya"], "Graal", "g", [(125, 699), (375, 1899)], ["fish"], ["halal"], "MA"),
        ],
    },
    CategorySeed {
        slug: "makarony-ryz-kasze",
        names: [
            "Makarony, ryż i kasze",
            "Pasta, rice and grains",
            "Makarna, pirinç ve tahıllar",
        ],
        vat_bp: 500,
        storage: "ambient",
        hue: 45,
        items: &[
            item!("spaghetti", ["Makaron spaghetti", "Spaghetti", "Spagetti makarna"], "Barilla", "g", [(500, 699), (1000, 1249)], ["gluten"], ["vegan"], "IT"),
            item!("penne", ["Makaron penne", "Penne pasta", "Kalem makarna"], "Barilla", "g", [(500, 699), (1000, 1249)], ["gluten"], ["vegan"], "IT"),
            item!("kasza-gryczana", ["Kasza gryczana prażona", "Roasted buckwheat groats", "Kavrulmuş karabuğday"], "Melvit", "g", [(400, 649), (1000, 1399)], [], ["vegan", "gluten_free"], "PL"),
            item!("ryz-basmati", ["Ryż basmati", "Basmati rice", "Basmati pirinci"], "Sonko", "g", [(400, 799), (1000, 1699)], [], ["vegan", "gluten_free"], "IN"),
            item!("bulgur", ["Bulgur pilavlık", "Coarse bulgur", "Pilavlık bulgur"], "Duru", "g", [(1000, 1199), (2500, 2699)], ["gluten"], ["vegan", "halal"], "TR"),
            item!("kuskus", ["Kuskus", "Couscous", "Kuskus"], "Sonko", "g", [(400, 699), (1000, 1499)], ["gluten"], ["vegan"], "MA"),
            item!("maka-pszenna", ["Mąka pszenna typ 450", "Wheat flour type 450", "Buğday unu tip 450"], "Basia", "g", [(1000, 399), (2000, 749)], ["gluten"], ["vegan"], "PL"),
            item!("platki-owsiane", ["Płatki owsiane górskie", "Rolled oats", "Yulaf ezmesi"], "Melvit", "g", [(500, 449), (1000, 799)], ["gluten"], ["vegan"], "PL"),
            item!("kasza-jaglana", ["Kasza jaglana", "Millet groats", "Darı"], "Melvit", "g", [(400, 599), (1000, 1299)], [], ["vegan", "gluten_free"], "PL"),
        ],
    },
    CategorySeed {
        slug: "napoje",
        names: ["Napoje", "Drinks", "İçecekler"],
        vat_bp: 800,
        storage: "ambient",
        hue: 220,
        items: &[
            item!("woda-niegazowana", ["Woda mineralna niegazowana", "Still mineral water", "Doğal kaynak suyu"], "Cisowianka", "ml", [(1500, 249), (500, 159)], [], ["vegan"], "PL"),
            item!("woda-gazowana", ["Woda mineralna gazowana", "Sparkling mineral water", "Maden suyu"], "Kropla Beskidu", "ml", [(1500, 249), (500, 159)], [], ["vegan"], "PL"),
            item!("sok-jablkowy", ["Sok jabłkowy 100%", "Apple juice 100%", "%100 elma suyu"], "Tymbark", "ml", [(1000, 599), (300, 299)], [], ["vegan"], "PL", vat 500),
            item!("sok-pomaranczowy", ["Sok pomarańczowy 100%", "Orange juice 100%", "%100 portakal suyu"], "Tymbark", "ml", [(1000, 699), (300, 349)], [], ["vegan"], "PL", vat 500),
            item!("ayran", ["Ayran", "Ayran yoghurt drink", "Ayran"], "Sütaş", "ml", [(1000, 699), (250, 249)], ["milk"], ["vegetarian", "halal"], "TR", vat 500),
            item!("napoj-cola", ["Napój cola", "Cola", "Kola"], "Coca-Cola", "ml", [(1500, 799), (500, 449)], [], ["vegan"], "PL", vat 2300),
            item!("kompot-wisniowy", ["Kompot wiśniowy", "Sour cherry compote drink", "Vişne kompostosu"], "Krokus", "ml", [(1000, 899), (500, 549)], [], ["vegan"], "PL"),
            item!("salgam", ["Napój şalgam", "Şalgam turnip drink", "Şalgam suyu"], "Doğanay", "ml", [(1000, 799), (300, 399)], [], ["vegan", "halal"], "TR", vat 500),
        ],
    },
    CategorySeed {
        slug: "kawa-i-herbata",
        names: ["Kawa i herbata", "Coffee and tea", "Kahve ve çay"],
        vat_bp: 2300,
        storage: "ambient",
        hue: 25,
        items: &[
            item!("kawa-mielona", ["Kawa mielona", "Ground coffee", "Öğütülmüş kahve"], "Lavazza", "g", [(250, 1999), (500, 3699)], [], ["vegan"], "IT"),
            item!("kawa-ziarnista", ["Kawa ziarnista", "Coffee beans", "Çekirdek kahve"], "Lavazza", "g", [(500, 3999), (1000, 7499)], [], ["vegan"], "IT"),
            item!("kawa-turecka", ["Kawa po turecku", "Turkish coffee", "Türk kahvesi"], "Kurukahveci Mehmet Efendi", "g", [(100, 1299), (250, 2899)], [], ["vegan", "halal"], "TR"),
            item!("herbata-czarna", ["Herbata czarna liściasta", "Loose black tea", "Dökme siyah çay"], "Çaykur", "g", [(500, 2499), (1000, 4599)], [], ["vegan", "halal", "bestseller"], "TR"),
            item!("herbata-zielona", ["Herbata zielona", "Green tea", "Yeşil çay"], "Lipton", "pcs", [(20, 999), (100, 3999)], [], ["vegan"], "LK"),
            item!("herbata-owocowa", ["Herbata owocowa malinowa", "Raspberry fruit tea", "Ahududulu meyve çayı"], "Teekanne", "pcs", [(20, 899), (40, 1599)], [], ["vegan"], "DE"),
            item!("kakao", ["Kakao naturalne", "Cocoa powder", "Kakao tozu"], "DecoMorreno", "g", [(150, 899), (500, 2499)], [], ["vegan"], "PL"),
            item!("kawa-rozpuszczalna", ["Kawa rozpuszczalna", "Instant coffee", "Hazır kahve"], "Nescafé", "g", [(100, 1699), (200, 2999)], [], ["vegan"], "PL"),
        ],
    },
    CategorySeed {
        slug: "slodycze-i-przekaski",
        names: [
            "Słodycze i przekąski",
            "Sweets and snacks",
            "Tatlılar ve atıştırmalıklar",
        ],
        vat_bp: 800,
        storage: "ambient",
        hue: 320,
        items: &[
            item!("czekolada-mleczna", ["Czekolada mleczna", "Milk chocolate", "Sütlü çikolata"], "Wedel", "g", [(100, 549), (250, 1199)], ["milk", "soybeans"], ["vegetarian", "bestseller"], "PL"),
            item!("czekolada-gorzka", ["Czekolada gorzka 70%", "Dark chocolate 70%", "%70 bitter çikolata"], "Wedel", "g", [(100, 649), (250, 1399)], ["soybeans"], ["vegan"], "PL"),
            item!("lokum", ["Lokum różane", "Rose Turkish delight", "Gül lokumu"], "Hacı Bekir", "g", [(250, 1899), (500, 3499)], [], ["vegan", "halal"], "TR"),
            item!("chalwa", ["Chałwa sezamowa", "Sesame halva", "Tahin helvası"], "Koska", "g", [(200, 899), (500, 1999)], ["sesame"], ["vegan", "halal"], "TR"),
            item!("wafle", ["Wafle kakaowe", "Cocoa wafers", "Kakaolu gofret"], "Prince Polo", "g", [(35, 199), (175, 899)], ["gluten", "milk", "soybeans"], ["vegetarian"], "PL"),
            item!("herbatniki", ["Herbatniki maślane", "Butter biscuits", "Tereyağlı bisküvi"], "Petitki", "g", [(200, 499), (400, 899)], ["gluten", "milk", "eggs"], ["vegetarian"], "PL"),
            item!("orzechy-laskowe", ["Orzechy laskowe", "Hazelnuts", "Fındık"], "Bakalland", "g", [(100, 799), (500, 3499)], ["nuts"], ["vegan", "gluten_free"], "TR", vat 500),
            item!("chipsy-ziemniaczane", ["Chipsy ziemniaczane solone", "Salted potato crisps", "Tuzlu patates cipsi"], "Lay's", "g", [(140, 699), (215, 949)], [], ["vegan"], "PL", vat 500),
            item!("baklawa", ["Baklawa z pistacjami", "Pistachio baklava", "Fıstıklı baklava"], "Karaköy Güllüoğlu", "g", [(250, 3999), (500, 7499)], ["gluten", "nuts", "milk"], ["vegetarian", "halal"], "TR"),
        ],
    },
    CategorySeed {
        slug: "mrozonki",
        names: ["Mrożonki", "Frozen food", "Donuk ürünler"],
        vat_bp: 500,
        storage: "frozen",
        hue: 180,
        items: &[
            item!("mieszanka-warzywna", ["Mieszanka warzywna", "Frozen mixed vegetables", "Donuk karışık sebze"], "Hortex", "g", [(450, 699), (2500, 2999)], [], ["vegan"], "PL"),
            item!("pierogi-ruskie", ["Pierogi ruskie", "Potato and cheese pierogi", "Patatesli peynirli pierogi"], "Virtu", "g", [(400, 1099), (1000, 2399)], ["gluten", "milk", "eggs"], ["vegetarian", "bestseller"], "PL", vat 800),
            item!("lody-waniliowe", ["Lody waniliowe", "Vanilla ice cream", "Vanilyalı dondurma"], "Grycan", "ml", [(500, 1599), (1000, 2699)], ["milk", "eggs"], ["vegetarian"], "PL", vat 800),
            item!("truskawki-mrozone", ["Truskawki mrożone", "Frozen strawberries", "Donuk çilek"], "Hortex", "g", [(450, 999), (2500, 4499)], [], ["vegan"], "PL"),
            item!("frytki", ["Frytki karbowane", "Crinkle-cut fries", "Tırtıklı patates kızartması"], "McCain", "g", [(750, 999), (2500, 2599)], [], ["vegan"], "PL"),
            item!("borek-ze-szpinakiem", ["Börek ze szpinakiem", "Spinach börek", "Ispanaklı börek"], "Superfresh", "g", [(500, 1799), (1000, 3299)], ["gluten", "milk", "eggs"], ["vegetarian", "halal"], "TR", vat 800),
        ],
    },
    CategorySeed {
        slug: "spizarnia",
        names: ["Spiżarnia", "Pantry", "Kiler"],
        vat_bp: 500,
        storage: "ambient",
        hue: 80,
        items: &[
            item!("oliwa-z-oliwek", ["Oliwa z oliwek extra virgin", "Extra virgin olive oil", "Sızma zeytinyağı"], "Komili", "ml", [(500, 3299), (1000, 5999)], [], ["vegan"], "TR"),
            item!("olej-slonecznikowy", ["Olej słonecznikowy", "Sunflower oil", "Ayçiçek yağı"], "Kujawski", "ml", [(1000, 999), (3000, 2699)], [], ["vegan"], "PL"),
            item!("miod-wielokwiatowy", ["Miód wielokwiatowy", "Multifloral honey", "Çiçek balı"], "Sądecki Bartnik", "g", [(400, 2299), (1000, 4999)], [], ["vegetarian"], "PL"),
            item!("dzem-truskawkowy", ["Dżem truskawkowy", "Strawberry jam", "Çilek reçeli"], "Łowicz", "g", [(280, 799), (450, 1149)], [], ["vegan"], "PL"),
            item!("passata", ["Passata pomidorowa", "Tomato passata", "Domates püresi"], "Mutti", "g", [(500, 699), (700, 899)], [], ["vegan"], "IT"),
            item!("ciecierzyca", ["Ciecierzyca konserwowa", "Canned chickpeas", "Konserve nohut"], "Bonduelle", "g", [(400, 499), (800, 899)], [], ["vegan"], "FR"),
            item!("soczewica-czerwona", ["Soczewica czerwona", "Red lentils", "Kırmızı mercimek"], "Duru", "g", [(500, 899), (1000, 1599)], [], ["vegan", "halal"], "TR"),
            item!("cukier", ["Cukier biały", "White sugar", "Toz şeker"], "Diamant", "g", [(1000, 449), (2000, 849)], [], ["vegan"], "PL", vat 800),
            item!("ketchup", ["Ketchup łagodny", "Mild ketchup", "Tatlı ketçap"], "Pudliszki", "g", [(480, 749), (990, 1299)], ["celery"], ["vegan"], "PL", vat 800),
            item!("biber-salcasi", ["Pasta paprykowa", "Red pepper paste", "Biber salçası"], "Tat", "g", [(700, 1299), (1650, 2699)], [], ["vegan", "halal"], "TR", vat 500),
        ],
    },
    CategorySeed {
        slug: "chemia-domowa",
        names: ["Chemia domowa", "Household", "Ev temizliği"],
        vat_bp: 2300,
        storage: "ambient",
        hue: 260,
        items: &[
            item!("plyn-do-naczyn", ["Płyn do mycia naczyń", "Washing-up liquid", "Bulaşık deterjanı"], "Ludwik", "ml", [(900, 899), (450, 549)], [], [], "PL"),
            item!("proszek-do-prania", ["Proszek do prania kolorów", "Colour laundry powder", "Renkliler için çamaşır deterjanı"], "Persil", "g", [(1350, 2999), (3000, 5999)], [], [], "PL"),
            item!("recznik-papierowy", ["Ręcznik papierowy", "Paper towels", "Kağıt havlu"], "Foxy", "pcs", [(2, 799), (4, 1499)], [], [], "PL"),
            item!("papier-toaletowy", ["Papier toaletowy trzywarstwowy", "3-ply toilet paper", "3 katlı tuvalet kağıdı"], "Velvet", "pcs", [(8, 1599), (16, 2899)], [], [], "PL"),
            item!("worki-na-smieci", ["Worki na śmieci 35 l", "Bin bags 35 l", "Çöp torbası 35 l"], "Jan Niezbędny", "pcs", [(30, 699), (60, 1249)], [], [], "PL"),
            item!("gabki-kuchenne", ["Gąbki kuchenne", "Kitchen sponges", "Mutfak süngeri"], "Gosia", "pcs", [(5, 399), (10, 699)], [], [], "PL"),
            item!("mydlo-w-plynie", ["Mydło w płynie", "Liquid hand soap", "Sıvı el sabunu"], "Luksja", "ml", [(500, 799), (1000, 1399)], [], [], "PL"),
        ],
    },
    CategorySeed {
        slug: "karty-podarunkowe",
        names: ["Karty podarunkowe", "Gift cards", "Hediye kartları"],
        // Multi-purpose vouchers are outside the scope of VAT until redeemed.
        vat_bp: 0,
        storage: "ambient",
        hue: 150,
        items: &[item!("karta-podarunkowa", ["Karta podarunkowa", "Gift card", "Hediye kartı"], "Metropolitan", "pcs", [(1, 5000), (1, 10000), (1, 20000)], [], [], "PL")],
    },
];
