//! The demo FAQ and content pages in Polish, English and Turkish.

use domain::content::{SeedFaq, SeedPage};
use domain::shared::Locale::{En, Pl, Tr};
use uuid::Uuid;

fn texts(
    items: [(domain::shared::Locale, &str, &str); 3],
) -> Vec<(domain::shared::Locale, String, String)> {
    items
        .into_iter()
        .map(|(l, a, b)| (l, a.to_owned(), b.to_owned()))
        .collect()
}

/// FAQ entries, with fixed ids so that a second seed adds nothing.
pub fn faq() -> Vec<SeedFaq> {
    let entries = [
        [
            (
                Pl,
                "Jak szybko dostarczacie zamówienia?",
                "Zamówienia złożone do **14:00** dostarczamy następnego dnia roboczego. Produkty chłodzone i mrożone wozimy w izolowanych pojemnikach.",
            ),
            (
                En,
                "How fast do you deliver?",
                "Orders placed by **2 pm** arrive the next working day. Chilled and frozen products travel in insulated boxes.",
            ),
            (
                Tr,
                "Siparişler ne kadar sürede teslim edilir?",
                "Saat **14:00**'e kadar verilen siparişler bir sonraki iş günü teslim edilir. Soğuk ve donuk ürünler yalıtımlı kutularda taşınır.",
            ),
        ],
        [
            (
                Pl,
                "Jakie formy płatności akceptujecie?",
                "Kartę płatniczą i BLIK. Firmy mogą płacić przelewem z odroczonym terminem płatności.",
            ),
            (
                En,
                "Which payment methods do you accept?",
                "Cards and BLIK. Companies may also pay by bank transfer on payment terms.",
            ),
            (
                Tr,
                "Hangi ödeme yöntemlerini kabul ediyorsunuz?",
                "Banka kartı ve BLIK. Şirketler vadeli banka havalesiyle de ödeyebilir.",
            ),
        ],
        [
            (
                Pl,
                "Czy wystawiacie faktury VAT?",
                "Tak. Podaj NIP przy zamówieniu, a faktura trafi do Twojego konta zaraz po zaksięgowaniu płatności.",
            ),
            (
                En,
                "Do you issue VAT invoices?",
                "Yes. Give your NIP (tax number) at checkout and the invoice appears in your account once the payment is booked.",
            ),
            (
                Tr,
                "KDV faturası düzenliyor musunuz?",
                "Evet. Siparişte NIP (vergi numaranızı) girin; fatura, ödeme kaydedildikten sonra hesabınızda görünür.",
            ),
        ],
        [
            (
                Pl,
                "Czy firmy mają inne ceny?",
                "Tak. Klienci firmowi widzą ceny hurtowe i minimalne ilości zamówienia po zalogowaniu na konto firmowe.",
            ),
            (
                En,
                "Do companies get different prices?",
                "Yes. Business customers see wholesale prices and minimum order quantities once signed in to a company account.",
            ),
            (
                Tr,
                "Şirketler için farklı fiyatlar var mı?",
                "Evet. Kurumsal müşteriler, şirket hesabıyla giriş yaptıklarında toptan fiyatları ve asgari sipariş miktarlarını görür.",
            ),
        ],
        [
            (
                Pl,
                "Jak zwrócić produkt?",
                "Produkty nieotwarte o długim terminie przydatności możesz zwrócić w ciągu 14 dni. Szczegóły w zakładce [Dostawa i zwroty](/pages/shipping-and-returns).",
            ),
            (
                En,
                "How do I return a product?",
                "Unopened products with a long shelf life can be returned within 14 days. See [Shipping and returns](/pages/shipping-and-returns).",
            ),
            (
                Tr,
                "Bir ürünü nasıl iade ederim?",
                "Açılmamış ve raf ömrü uzun ürünleri 14 gün içinde iade edebilirsiniz. Ayrıntılar: [Teslimat ve iade](/pages/shipping-and-returns).",
            ),
        ],
        [
            (
                Pl,
                "Gdzie znajdę informacje o alergenach?",
                "Na stronie każdego produktu, w sekcji **Alergeny**, zgodnie z rozporządzeniem UE 1169/2011.",
            ),
            (
                En,
                "Where can I find allergen information?",
                "On every product page, under **Allergens**, as EU regulation 1169/2011 requires.",
            ),
            (
                Tr,
                "Alerjen bilgilerini nerede bulabilirim?",
                "AB 1169/2011 yönetmeliği uyarınca her ürün sayfasında, **Alerjenler** bölümünde.",
            ),
        ],
    ];
    (0..)
        .zip(entries)
        .map(|(i, items)| SeedFaq {
            id: Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0001 + i as u128),
            position: i,
            texts: texts(items),
        })
        .collect()
}

/// Terms, privacy policy, and shipping and returns.
pub fn pages() -> Vec<SeedPage> {
    vec![
        SeedPage {
            slug: "terms".into(),
            texts: texts([
                (
                    Pl,
                    "Regulamin sklepu",
                    "## 1. Postanowienia ogólne\n\nSklep internetowy Metropolitan prowadzi sprzedaż artykułów spożywczych i chemii domowej na rzecz konsumentów i przedsiębiorców. Dane sprzedawcy podane są w potwierdzeniu zamówienia i na fakturze.\n\n## 2. Zamówienia\n\n1. Zamówienie składa się przez stronę sklepu lub aplikację mobilną.\n2. Umowa zostaje zawarta z chwilą potwierdzenia zamówienia przez sklep.\n3. Ceny są cenami brutto i zawierają podatek VAT.\n\n## 3. Płatności\n\nAkceptujemy karty płatnicze i BLIK. Przedsiębiorcy mogą płacić przelewem w uzgodnionym terminie.\n\n## 4. Reklamacje\n\nReklamacje rozpatrujemy w ciągu 14 dni od ich otrzymania.",
                ),
                (
                    En,
                    "Terms and conditions",
                    "## 1. General\n\nThe Metropolitan online shop sells groceries and household goods to consumers and businesses. The seller's details are given in the order confirmation and on the invoice.\n\n## 2. Orders\n\n1. Orders are placed on the website or in the mobile app.\n2. The contract is concluded when the shop confirms the order.\n3. Prices are gross and include VAT.\n\n## 3. Payment\n\nWe accept cards and BLIK. Businesses may pay by bank transfer on agreed terms.\n\n## 4. Complaints\n\nWe handle complaints within 14 days of receiving them.",
                ),
                (
                    Tr,
                    "Şartlar ve koşullar",
                    "## 1. Genel hükümler\n\nMetropolitan çevrimiçi mağazası tüketicilere ve işletmelere gıda ve ev ürünleri satar. Satıcının bilgileri sipariş onayında ve faturada yer alır.\n\n## 2. Siparişler\n\n1. Siparişler web sitesi veya mobil uygulama üzerinden verilir.\n2. Sözleşme, mağaza siparişi onayladığında kurulur.\n3. Fiyatlar brüttür ve KDV içerir.\n\n## 3. Ödeme\n\nBanka kartı ve BLIK kabul edilir. İşletmeler anlaşılan vadede havale ile ödeyebilir.\n\n## 4. Şikâyetler\n\nŞikâyetler alındıktan sonra 14 gün içinde yanıtlanır.",
                ),
            ]),
        },
        SeedPage {
            slug: "privacy".into(),
            texts: texts([
                (
                    Pl,
                    "Polityka prywatności",
                    "Przetwarzamy Twoje dane (numer telefonu, adres dostawy, dane do faktury) wyłącznie w celu realizacji zamówień i wymogów prawa. Możesz w każdej chwili pobrać swoje dane lub usunąć konto w ustawieniach konta.\n\nUsunięte konto tracimy z oczu po 30 dniach: usuwamy telefon, e-mail, imię i nazwisko, adresy. Zamówienia bez faktury tracą wtedy dane kontaktowe. Faktury i zamówienia, których dotyczą, przechowujemy 5 lat od końca roku wystawienia faktury, jak wymagają przepisy podatkowe; potem usuwamy z nich dane kontaktowe (faktura dla firmy zachowuje jej nazwę, NIP i adres). Zgody na regulamin, politykę prywatności i marketing zapisujemy z datą i wersją dokumentu.",
                ),
                (
                    En,
                    "Privacy policy",
                    "We process your data (phone number, delivery address, invoice details) only to fulfil orders and meet legal duties. You can export your data or delete your account at any time in your account settings.\n\nA deleted account is erased after 30 days: phone, e-mail, name and addresses. Orders without an invoice lose their contact data then. Invoices and their orders are kept for 5 years from the end of the year the invoice was issued, as tax law requires; then their contact data is removed too (a company's invoice keeps its name, NIP and address). Your acceptance of the terms and the privacy policy, and your marketing consent, are recorded with the date and the document's version.",
                ),
                (
                    Tr,
                    "Gizlilik politikası",
                    "Verilerinizi (telefon numarası, teslimat adresi, fatura bilgileri) yalnızca siparişleri yerine getirmek ve yasal yükümlülükler için işleriz. Hesap ayarlarından verilerinizi istediğiniz zaman indirebilir veya hesabınızı silebilirsiniz.\n\nSilinen bir hesap 30 gün sonra tamamen silinir: telefon, e-posta, ad ve adresler. Faturası olmayan siparişler o zaman iletişim bilgilerini kaybeder. Faturalar ve ilgili siparişler, vergi mevzuatı gereği faturanın düzenlendiği yılın sonundan itibaren 5 yıl saklanır; ardından iletişim bilgileri de silinir (bir şirket faturası şirketin adını, NIP numarasını ve adresini korur). Satış koşullarını, gizlilik politikasını ve pazarlama iznini tarih ve belge sürümüyle kaydederiz.",
                ),
            ]),
        },
        SeedPage {
            slug: "shipping-and-returns".into(),
            texts: texts([
                (
                    Pl,
                    "Dostawa i zwroty",
                    "- Dostawa następnego dnia roboczego dla zamówień do 14:00.\n- Produkty chłodzone i mrożone w pojemnikach izotermicznych.\n- Zwrot nieotwartych produktów o długim terminie przydatności w ciągu 14 dni.",
                ),
                (
                    En,
                    "Shipping and returns",
                    "- Next working day delivery for orders placed by 2 pm.\n- Chilled and frozen products in insulated boxes.\n- Unopened long-life products can be returned within 14 days.",
                ),
                (
                    Tr,
                    "Teslimat ve iade",
                    "- Saat 14:00'e kadar verilen siparişlerde bir sonraki iş günü teslimat.\n- Soğuk ve donuk ürünler yalıtımlı kutularda.\n- Açılmamış, raf ömrü uzun ürünler 14 gün içinde iade edilebilir.",
                ),
            ]),
        },
    ]
}
