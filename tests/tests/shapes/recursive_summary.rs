//! The shape of time 0.3.55's `formatting::metadata`: a trait implemented for a recursive
//! enum, for slices of it and for anything that derefs to it. The summaries of the three
//! methods name many parts of their parameter; the analysis once alternated between two
//! summaries here forever.

use core::ops::{Add, Deref};

pub struct Metadata {
    pub max_bytes_needed: usize,
    pub guaranteed_utf8: bool,
}

impl Default for Metadata {
    fn default() -> Self {
        Self { max_bytes_needed: 0, guaranteed_utf8: true }
    }
}

impl Add for Metadata {
    type Output = Self;
    fn add(self, rhs: Self) -> Self::Output {
        Self {
            max_bytes_needed: self.max_bytes_needed + rhs.max_bytes_needed,
            guaranteed_utf8: self.guaranteed_utf8 && rhs.guaranteed_utf8,
        }
    }
}

impl core::iter::Sum for Metadata {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::default(), Self::add)
    }
}

pub trait ComputeMetadata {
    fn compute_metadata(&self) -> Metadata;
}

pub enum Component {
    Day(u8),
    Month(u8),
    Subsecond(Digits),
}

pub struct Digits {
    pub digits: u8,
}

impl ComputeMetadata for Component {
    fn compute_metadata(&self) -> Metadata {
        let max_bytes_needed = match self {
            Self::Day(_) => 2,
            Self::Month(_) => 3,
            Self::Subsecond(modifier) => modifier.digits as usize,
        };
        Metadata { max_bytes_needed, guaranteed_utf8: true }
    }
}

pub enum Item {
    Component(Component),
    StringLiteral(Box<str>),
    Literal(Box<str>),
    Compound(Box<[Self]>),
    Optional(Box<Self>),
    First(Box<[Self]>),
}

impl ComputeMetadata for Item {
    fn compute_metadata(&self) -> Metadata {
        match self {
            Self::Literal(s) => Metadata { max_bytes_needed: s.len(), guaranteed_utf8: true },
            Self::StringLiteral(s) => Metadata { max_bytes_needed: s.len(), guaranteed_utf8: true },
            Self::Component(component) => component.compute_metadata(),
            Self::Compound(items) => items.compute_metadata(),
            Self::Optional(item) => item.compute_metadata(),
            Self::First(items) => items
                .first()
                .map_or_else(Metadata::default, |item| item.compute_metadata()),
        }
    }
}

impl<T> ComputeMetadata for [T]
where
    T: ComputeMetadata,
{
    fn compute_metadata(&self) -> Metadata {
        self.iter().map(|item| item.compute_metadata()).sum()
    }
}

impl<T> ComputeMetadata for T
where
    T: Deref<Target: ComputeMetadata>,
{
    fn compute_metadata(&self) -> Metadata {
        self.deref().compute_metadata()
    }
}
