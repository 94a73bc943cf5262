//! Page requests with enforced bounds, and pages of results.

/// A validated request for one page of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    page: u32,
    per_page: u32,
}

impl PageRequest {
    /// Largest page size any listing serves.
    pub const MAX_PER_PAGE: u32 = 100;

    /// Builds a request; the page is 1-based, and out-of-range values are clamped.
    pub fn new(page: u32, per_page: u32) -> Self {
        PageRequest {
            page: page.max(1),
            per_page: per_page.clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// The 1-based page number.
    pub fn page(&self) -> u32 {
        self.page
    }

    /// Items per page.
    pub fn per_page(&self) -> u32 {
        self.per_page
    }

    /// SQL `limit`.
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    /// SQL `offset`.
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

/// One page of results plus what a client needs to page through the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The 1-based page number.
    pub page: u32,
    /// Requested page size.
    pub per_page: u32,
    /// Items across all pages.
    pub total: u64,
}

impl<T> Page<T> {
    /// Number of pages, at least 1.
    pub fn total_pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.per_page)).max(1)
    }

    /// Maps the items, keeping the paging data.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_request_clamps_and_computes_offset() {
        let r = PageRequest::new(0, 1_000);
        assert_eq!((r.page(), r.per_page(), r.offset()), (1, 100, 0));
        assert_eq!(PageRequest::new(3, 20).offset(), 40);
    }

    #[test]
    fn total_pages_rounds_up() {
        let page = Page::<()> {
            items: vec![],
            page: 1,
            per_page: 24,
            total: 49,
        };
        assert_eq!(page.total_pages(), 3);
        let empty = Page::<()> {
            items: vec![],
            page: 1,
            per_page: 24,
            total: 0,
        };
        assert_eq!(empty.total_pages(), 1);
    }
}
