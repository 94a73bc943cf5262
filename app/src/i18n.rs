//! The one translation mechanism for every UI string, and locale-aware formatting.
//!
//! Texts are a `match` over (`Key`, `Locale`): a missing translation is a compile error,
//! nothing is loaded at run time, and the wasm bundle carries only what it renders.

use serde::{Deserialize, Serialize};

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    /// Polish, the default.
    #[default]
    Pl,
    /// English.
    En,
    /// Turkish.
    Tr,
}

impl Locale {
    /// Every interface language, in the order the switcher shows them.
    pub const ALL: [Locale; 3] = [Locale::Pl, Locale::En, Locale::Tr];

    /// The BCP 47 code used in `<html lang>`, `?lang=` and the `lang` cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Pl => "pl",
            Locale::En => "en",
            Locale::Tr => "tr",
        }
    }

    /// The locale for a code, `None` for a language we do not speak.
    pub fn from_code(code: &str) -> Option<Locale> {
        match code {
            "pl" => Some(Locale::Pl),
            "en" => Some(Locale::En),
            "tr" => Some(Locale::Tr),
            _ => None,
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Pl => "Polski",
            Locale::En => "English",
            Locale::Tr => "Türkçe",
        }
    }
}

/// Every UI string.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    ShopName,
    Tagline,
    SkipToContent,
    SearchLabel,
    SearchPlaceholder,
    SearchButton,
    Cart,
    Account,
    Language,
    Faq,
    Terms,
    FooterNote,
    MainNavigation,
    FeaturedProducts,
    Loading,
    LoadFailed,
    NoProducts,
    InStock,
    OutOfStock,
    Quantity,
    Decrease,
    Increase,
    AddToCart,
    InclVat,
    PreviousPage,
    NextPage,
    PageOf,
    NotFoundTitle,
    NotFoundText,
    BackHome,
    AdminContent,
    Title,
    Body,
    Published,
    Draft,
    Preview,
    SignIn,
    SignOut,
    Email,
    Password,
    SignInFailed,
    AdminProducts,
    AdminOnly,
    Sku,
    Price,
    Stock,
    Save,
    Saved,
    Suggestions,
    LastChanged,
    Home,
    Categories,
    Filters,
    MinPrice,
    MaxPrice,
    Brand,
    InStockOnly,
    SortBy,
    SortRelevance,
    SortPriceAsc,
    SortPriceDesc,
    SortNewest,
    SortName,
    Apply,
    SearchResults,
    ResultsFor,
    NoResults,
    Subcategories,
    OnlyLeft,
    MinQty,
    QtyPerBox,
    NetContent,
    Allergens,
    NoAllergens,
    Storage,
    StorageAmbient,
    StorageChilled,
    StorageFrozen,
    Origin,
    Description,
    Details,
    Nutrition,
    Related,
    Breadcrumb,
    InvalidFilter,
}

/// The text for `key` in `locale`.
pub fn t(locale: Locale, key: Key) -> &'static str {
    use Key::*;
    use Locale::*;
    match (key, locale) {
        (ShopName, _) => "Metropolitan",
        (Tagline, Pl) => "Świeże zakupy spożywcze dla domu i firmy",
        (Tagline, En) => "Fresh groceries for home and business",
        (Tagline, Tr) => "Ev ve işletmeler için taze market alışverişi",
        (SkipToContent, Pl) => "Przejdź do treści",
        (SkipToContent, En) => "Skip to content",
        (SkipToContent, Tr) => "İçeriğe geç",
        (SearchLabel, Pl) => "Szukaj produktów",
        (SearchLabel, En) => "Search products",
        (SearchLabel, Tr) => "Ürün ara",
        (SearchPlaceholder, Pl) => "np. masło, kawa, ryż",
        (SearchPlaceholder, En) => "e.g. butter, coffee, rice",
        (SearchPlaceholder, Tr) => "ör. tereyağı, kahve, pirinç",
        (SearchButton, Pl) => "Szukaj",
        (SearchButton, En) => "Search",
        (SearchButton, Tr) => "Ara",
        (Cart, Pl) => "Koszyk",
        (Cart, En) => "Cart",
        (Cart, Tr) => "Sepet",
        (Account, Pl) => "Konto",
        (Account, En) => "Account",
        (Account, Tr) => "Hesap",
        (Language, Pl) => "Język",
        (Language, En) => "Language",
        (Language, Tr) => "Dil",
        (Faq, Pl) => "Najczęstsze pytania",
        (Faq, En) => "FAQ",
        (Faq, Tr) => "Sıkça sorulan sorular",
        (Terms, Pl) => "Regulamin",
        (Terms, En) => "Terms and conditions",
        (Terms, Tr) => "Şartlar ve koşullar",
        (FooterNote, Pl) => "Ceny zawierają VAT.",
        (FooterNote, En) => "Prices include VAT.",
        (FooterNote, Tr) => "Fiyatlara KDV dahildir.",
        (MainNavigation, Pl) => "Nawigacja główna",
        (MainNavigation, En) => "Main navigation",
        (MainNavigation, Tr) => "Ana gezinme",
        (FeaturedProducts, Pl) => "Nowości w sklepie",
        (FeaturedProducts, En) => "New in the shop",
        (FeaturedProducts, Tr) => "Mağazadaki yenilikler",
        (Loading, Pl) => "Wczytywanie…",
        (Loading, En) => "Loading…",
        (Loading, Tr) => "Yükleniyor…",
        (LoadFailed, Pl) => "Nie udało się wczytać produktów. Spróbuj ponownie za chwilę.",
        (LoadFailed, En) => "The products could not be loaded. Please try again in a moment.",
        (LoadFailed, Tr) => "Ürünler yüklenemedi. Lütfen biraz sonra tekrar deneyin.",
        (NoProducts, Pl) => "Brak produktów.",
        (NoProducts, En) => "No products yet.",
        (NoProducts, Tr) => "Henüz ürün yok.",
        (InStock, Pl) => "Dostępny",
        (InStock, En) => "In stock",
        (InStock, Tr) => "Stokta",
        (OutOfStock, Pl) => "Brak w magazynie",
        (OutOfStock, En) => "Out of stock",
        (OutOfStock, Tr) => "Stokta yok",
        (Quantity, Pl) => "Ilość",
        (Quantity, En) => "Quantity",
        (Quantity, Tr) => "Adet",
        (Decrease, Pl) => "Zmniejsz ilość",
        (Decrease, En) => "Decrease quantity",
        (Decrease, Tr) => "Adedi azalt",
        (Increase, Pl) => "Zwiększ ilość",
        (Increase, En) => "Increase quantity",
        (Increase, Tr) => "Adedi artır",
        (AddToCart, Pl) => "Do koszyka",
        (AddToCart, En) => "Add to cart",
        (AddToCart, Tr) => "Sepete ekle",
        (InclVat, Pl) => "w tym VAT",
        (InclVat, En) => "incl. VAT",
        (InclVat, Tr) => "KDV dahil",
        (PreviousPage, Pl) => "Poprzednia strona",
        (PreviousPage, En) => "Previous page",
        (PreviousPage, Tr) => "Önceki sayfa",
        (NextPage, Pl) => "Następna strona",
        (NextPage, En) => "Next page",
        (NextPage, Tr) => "Sonraki sayfa",
        (PageOf, Pl) => "Strona {page} z {pages}",
        (PageOf, En) => "Page {page} of {pages}",
        (PageOf, Tr) => "Sayfa {page} / {pages}",
        (NotFoundTitle, Pl) => "Nie znaleziono strony",
        (NotFoundTitle, En) => "Page not found",
        (NotFoundTitle, Tr) => "Sayfa bulunamadı",
        (NotFoundText, Pl) => "Strona, której szukasz, nie istnieje lub została przeniesiona.",
        (NotFoundText, En) => "The page you are looking for does not exist or has moved.",
        (NotFoundText, Tr) => "Aradığınız sayfa mevcut değil veya taşındı.",
        (BackHome, Pl) => "Wróć na stronę główną",
        (BackHome, En) => "Back to the home page",
        (BackHome, Tr) => "Ana sayfaya dön",
        (AdminContent, Pl) => "Treści – administracja",
        (AdminContent, En) => "Content – admin",
        (AdminContent, Tr) => "İçerik – yönetim",
        (Title, Pl) => "Tytuł",
        (Title, En) => "Title",
        (Title, Tr) => "Başlık",
        (Body, Pl) => "Treść (Markdown)",
        (Body, En) => "Body (Markdown)",
        (Body, Tr) => "Metin (Markdown)",
        (Published, Pl) => "Opublikowana",
        (Published, En) => "Published",
        (Published, Tr) => "Yayında",
        (Draft, Pl) => "szkic",
        (Draft, En) => "draft",
        (Draft, Tr) => "taslak",
        (Preview, Pl) => "Podgląd",
        (Preview, En) => "Preview",
        (Preview, Tr) => "Önizleme",
        (SignIn, Pl) => "Zaloguj się",
        (SignIn, En) => "Sign in",
        (SignIn, Tr) => "Giriş yap",
        (SignOut, Pl) => "Wyloguj się",
        (SignOut, En) => "Sign out",
        (SignOut, Tr) => "Çıkış yap",
        (Email, Pl) => "E-mail",
        (Email, En) => "E-mail",
        (Email, Tr) => "E-posta",
        (Password, Pl) => "Hasło",
        (Password, En) => "Password",
        (Password, Tr) => "Şifre",
        (SignInFailed, Pl) => "Nieprawidłowy e-mail lub hasło.",
        (SignInFailed, En) => "Wrong e-mail or password.",
        (SignInFailed, Tr) => "E-posta veya şifre hatalı.",
        (AdminProducts, Pl) => "Produkty – administracja",
        (AdminProducts, En) => "Products – admin",
        (AdminProducts, Tr) => "Ürünler – yönetim",
        (AdminOnly, Pl) => "Ta strona jest tylko dla administratorów.",
        (AdminOnly, En) => "This page is for admins only.",
        (AdminOnly, Tr) => "Bu sayfa yalnızca yöneticiler içindir.",
        (Sku, Pl) => "SKU",
        (Sku, En) => "SKU",
        (Sku, Tr) => "SKU",
        (Price, Pl) => "Cena brutto (zł)",
        (Price, En) => "Gross price (PLN)",
        (Price, Tr) => "Brüt fiyat (PLN)",
        (Stock, Pl) => "Stan",
        (Stock, En) => "Stock",
        (Stock, Tr) => "Stok",
        (Save, Pl) => "Zapisz",
        (Save, En) => "Save",
        (Save, Tr) => "Kaydet",
        (Saved, Pl) => "Zapisano.",
        (Saved, En) => "Saved.",
        (Saved, Tr) => "Kaydedildi.",
        (Suggestions, Pl) => "Podpowiedzi",
        (Suggestions, En) => "Suggestions",
        (Suggestions, Tr) => "Öneriler",
        (LastChanged, Pl) => "Ostatnia zmiana:",
        (LastChanged, En) => "Last changed:",
        (LastChanged, Tr) => "Son değişiklik:",
        (Home, Pl) => "Strona główna",
        (Home, En) => "Home",
        (Home, Tr) => "Ana sayfa",
        (Categories, Pl) => "Kategorie",
        (Categories, En) => "Categories",
        (Categories, Tr) => "Kategoriler",
        (Filters, Pl) => "Filtry",
        (Filters, En) => "Filters",
        (Filters, Tr) => "Filtreler",
        (MinPrice, Pl) => "Cena od (zł)",
        (MinPrice, En) => "Price from (PLN)",
        (MinPrice, Tr) => "En düşük fiyat (PLN)",
        (MaxPrice, Pl) => "Cena do (zł)",
        (MaxPrice, En) => "Price to (PLN)",
        (MaxPrice, Tr) => "En yüksek fiyat (PLN)",
        (Brand, Pl) => "Marka",
        (Brand, En) => "Brand",
        (Brand, Tr) => "Marka",
        (InStockOnly, Pl) => "Tylko dostępne",
        (InStockOnly, En) => "In stock only",
        (InStockOnly, Tr) => "Yalnızca stoktakiler",
        (SortBy, Pl) => "Sortuj",
        (SortBy, En) => "Sort by",
        (SortBy, Tr) => "Sırala",
        (SortRelevance, Pl) => "Trafność",
        (SortRelevance, En) => "Relevance",
        (SortRelevance, Tr) => "İlgi",
        (SortPriceAsc, Pl) => "Cena rosnąco",
        (SortPriceAsc, En) => "Price: low to high",
        (SortPriceAsc, Tr) => "Fiyat: artan",
        (SortPriceDesc, Pl) => "Cena malejąco",
        (SortPriceDesc, En) => "Price: high to low",
        (SortPriceDesc, Tr) => "Fiyat: azalan",
        (SortNewest, Pl) => "Najnowsze",
        (SortNewest, En) => "Newest",
        (SortNewest, Tr) => "En yeni",
        (SortName, Pl) => "Nazwa",
        (SortName, En) => "Name",
        (SortName, Tr) => "Ad",
        (Apply, Pl) => "Zastosuj",
        (Apply, En) => "Apply",
        (Apply, Tr) => "Uygula",
        (SearchResults, Pl) => "Wyniki wyszukiwania",
        (SearchResults, En) => "Search results",
        (SearchResults, Tr) => "Arama sonuçları",
        (ResultsFor, Pl) => "Wyniki dla",
        (ResultsFor, En) => "Results for",
        (ResultsFor, Tr) => "Sonuçlar:",
        (NoResults, Pl) => "Nic nie znaleziono. Spróbuj innych słów lub usuń filtry.",
        (NoResults, En) => "Nothing found. Try other words or remove filters.",
        (NoResults, Tr) => {
            "Hiçbir şey bulunamadı. Başka kelimeler deneyin veya filtreleri kaldırın."
        }
        (Subcategories, Pl) => "Podkategorie",
        (Subcategories, En) => "Subcategories",
        (Subcategories, Tr) => "Alt kategoriler",
        (OnlyLeft, Pl) => "Zostało tylko {n} szt.",
        (OnlyLeft, En) => "Only {n} left",
        (OnlyLeft, Tr) => "Yalnızca {n} adet kaldı",
        (MinQty, Pl) => "Minimalna ilość",
        (MinQty, En) => "Minimum quantity",
        (MinQty, Tr) => "En az adet",
        (QtyPerBox, Pl) => "Sztuk w kartonie",
        (QtyPerBox, En) => "Units per box",
        (QtyPerBox, Tr) => "Koli içi adet",
        (NetContent, Pl) => "Zawartość netto",
        (NetContent, En) => "Net content",
        (NetContent, Tr) => "Net miktar",
        (Allergens, Pl) => "Alergeny",
        (Allergens, En) => "Allergens",
        (Allergens, Tr) => "Alerjenler",
        (NoAllergens, Pl) => "Brak alergenów do zadeklarowania",
        (NoAllergens, En) => "No allergens to declare",
        (NoAllergens, Tr) => "Beyan edilecek alerjen yok",
        (Storage, Pl) => "Przechowywanie",
        (Storage, En) => "Storage",
        (Storage, Tr) => "Saklama",
        (StorageAmbient, Pl) => "w temperaturze pokojowej",
        (StorageAmbient, En) => "at room temperature",
        (StorageAmbient, Tr) => "oda sıcaklığında",
        (StorageChilled, Pl) => "w lodówce",
        (StorageChilled, En) => "refrigerated",
        (StorageChilled, Tr) => "buzdolabında",
        (StorageFrozen, Pl) => "zamrożone",
        (StorageFrozen, En) => "frozen",
        (StorageFrozen, Tr) => "dondurulmuş",
        (Origin, Pl) => "Kraj pochodzenia",
        (Origin, En) => "Country of origin",
        (Origin, Tr) => "Menşe ülke",
        (Description, Pl) => "Opis",
        (Description, En) => "Description",
        (Description, Tr) => "Açıklama",
        (Details, Pl) => "Szczegóły",
        (Details, En) => "Details",
        (Details, Tr) => "Ayrıntılar",
        (Nutrition, Pl) => "Wartości odżywcze w 100 g",
        (Nutrition, En) => "Nutrition per 100 g",
        (Nutrition, Tr) => "100 g'daki besin değerleri",
        (Related, Pl) => "Z tej samej kategorii",
        (Related, En) => "From the same category",
        (Related, Tr) => "Aynı kategoriden",
        (Breadcrumb, Pl) => "Ścieżka",
        (Breadcrumb, En) => "Breadcrumb",
        (Breadcrumb, Tr) => "Konum",
        (InvalidFilter, Pl) => "Sprawdź filtry: {field}",
        (InvalidFilter, En) => "Check the filters: {field}",
        (InvalidFilter, Tr) => "Filtreleri kontrol edin: {field}",
    }
}

/// The label of a product badge; unknown badges show their code.
pub fn badge_label(locale: Locale, code: &str) -> String {
    use Locale::*;
    let label = match (code, locale) {
        ("vegan", Pl) => "wegańskie",
        ("vegan", En) => "vegan",
        ("vegan", Tr) => "vegan",
        ("vegetarian", Pl) => "wegetariańskie",
        ("vegetarian", En) => "vegetarian",
        ("vegetarian", Tr) => "vejetaryen",
        ("halal", Pl) => "halal",
        ("halal", En) => "halal",
        ("halal", Tr) => "helal",
        ("gluten_free", Pl) => "bez glutenu",
        ("gluten_free", En) => "gluten-free",
        ("gluten_free", Tr) => "glütensiz",
        ("organic", Pl) => "ekologiczne",
        ("organic", En) => "organic",
        ("organic", Tr) => "organik",
        ("bestseller", Pl) => "bestseller",
        ("bestseller", En) => "bestseller",
        ("bestseller", Tr) => "çok satan",
        _ => return code.replace('_', " "),
    };
    label.to_owned()
}

/// The name of an EU allergen code; unknown codes show the code.
pub fn allergen_label(locale: Locale, code: &str) -> String {
    use Locale::*;
    let label = match (code, locale) {
        ("gluten", Pl) => "gluten",
        ("gluten", En) => "gluten",
        ("gluten", Tr) => "gluten",
        ("crustaceans", Pl) => "skorupiaki",
        ("crustaceans", En) => "crustaceans",
        ("crustaceans", Tr) => "kabuklular",
        ("eggs", Pl) => "jaja",
        ("eggs", En) => "eggs",
        ("eggs", Tr) => "yumurta",
        ("fish", Pl) => "ryby",
        ("fish", En) => "fish",
        ("fish", Tr) => "balık",
        ("peanuts", Pl) => "orzeszki ziemne",
        ("peanuts", En) => "peanuts",
        ("peanuts", Tr) => "yer fıstığı",
        ("soybeans", Pl) => "soja",
        ("soybeans", En) => "soybeans",
        ("soybeans", Tr) => "soya",
        ("milk", Pl) => "mleko",
        ("milk", En) => "milk",
        ("milk", Tr) => "süt",
        ("nuts", Pl) => "orzechy",
        ("nuts", En) => "nuts",
        ("nuts", Tr) => "sert kabuklu yemişler",
        ("celery", Pl) => "seler",
        ("celery", En) => "celery",
        ("celery", Tr) => "kereviz",
        ("mustard", Pl) => "gorczyca",
        ("mustard", En) => "mustard",
        ("mustard", Tr) => "hardal",
        ("sesame", Pl) => "sezam",
        ("sesame", En) => "sesame",
        ("sesame", Tr) => "susam",
        ("sulphites", Pl) => "siarczyny",
        ("sulphites", En) => "sulphites",
        ("sulphites", Tr) => "sülfitler",
        ("lupin", Pl) => "łubin",
        ("lupin", En) => "lupin",
        ("lupin", Tr) => "acı bakla",
        ("molluscs", Pl) => "mięczaki",
        ("molluscs", En) => "molluscs",
        ("molluscs", Tr) => "yumuşakçalar",
        _ => return code.to_owned(),
    };
    label.to_owned()
}

/// Formats a gross amount in minor units the way the locale writes money:
/// `12,99 zł` in Polish, `PLN 12.99` in English, `12,99 PLN` in Turkish.
pub fn format_money(locale: Locale, minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let (whole, cents) = (minor.unsigned_abs() / 100, minor.unsigned_abs() % 100);
    let group = |sep: char| {
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(c);
        }
        out
    };
    match locale {
        Locale::Pl => {
            let symbol = if currency == "PLN" { "zł" } else { currency };
            format!("{sign}{},{cents:02}\u{a0}{symbol}", group('\u{a0}'))
        }
        Locale::En => format!("{sign}{currency}\u{a0}{}.{cents:02}", group(',')),
        Locale::Tr => format!("{sign}{},{cents:02}\u{a0}{currency}", group('.')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_per_locale() {
        assert_eq!(
            format_money(Locale::Pl, 123_456, "PLN"),
            "1\u{a0}234,56\u{a0}zł"
        );
        assert_eq!(format_money(Locale::En, 1_299, "PLN"), "PLN\u{a0}12.99");
        assert_eq!(
            format_money(Locale::Tr, 100_000_005, "EUR"),
            "1.000.000,05\u{a0}EUR"
        );
        assert_eq!(format_money(Locale::En, -5, "PLN"), "-PLN\u{a0}0.05");
    }

    #[test]
    fn badges_are_translated_and_unknown_ones_readable() {
        assert_eq!(badge_label(Locale::Tr, "halal"), "helal");
        assert_eq!(badge_label(Locale::Pl, "gluten_free"), "bez glutenu");
        assert_eq!(badge_label(Locale::En, "low_sugar"), "low sugar");
    }

    #[test]
    fn allergens_are_named_in_each_language() {
        assert_eq!(allergen_label(Locale::Pl, "milk"), "mleko");
        assert_eq!(allergen_label(Locale::Tr, "sesame"), "susam");
        assert_eq!(allergen_label(Locale::En, "unknown"), "unknown");
    }

    #[test]
    fn codes_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_code(locale.code()), Some(locale));
        }
        assert_eq!(Locale::from_code("de"), None);
    }
}
