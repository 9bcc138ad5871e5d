//! Binary detection exactly as cookiecutter 2.7.1 decides it, through `binaryornot` 0.6.0
//! (MIT): a file is binary if its extension is in binaryornot's list of binary extensions, or its
//! first 512 bytes start with a known binary signature, or binaryornot's trained decision tree
//! says so from byte statistics. The extension list, the signatures and the tree's thresholds
//! are binaryornot's data, transcribed; the five CJK "does it decode" features are approximated
//! by structural checks of each encoding's byte ranges (Python's codecs are not available here).
//! This module only classifies bytes; it never renders or reads files.

/// binaryornot reads this many bytes from the start of a file.
const CHUNK_SIZE: usize = 512;

/// binaryornot's `binary_extensions.csv` (lower-case, no dot).
const BINARY_EXTENSIONS: &[&str] = &[
    "3ds", "blend", "dae", "fbx", "glb", "stl", "usdz", "7z", "bz2", "cab", "gz", "jar", "lz",
    "lz4", "lzma", "rar", "tar", "xz", "z", "zip", "zst", "aac", "aif", "aiff", "alac", "ape",
    "flac", "m4a", "mid", "midi", "mp3", "ogg", "opus", "wav", "wma", "dwg", "dwf", "dxb", "step",
    "stp", "class", "dll", "o", "pyc", "pyo", "so", "wasm", "accdb", "db", "dbf", "mdb", "sqlite",
    "sqlite3", "dmg", "img", "iso", "qcow2", "vdi", "vhd", "vmdk", "doc", "docx", "epub", "mobi",
    "odt", "pages", "pdf", "ppt", "pptx", "xls", "xlsx", "com", "exe", "msi", "bin", "fw", "rom",
    "eot", "otf", "ttc", "ttf", "woff", "woff2", "gba", "n64", "nds", "nes", "pak", "sav", "sfc",
    "smc", "shp", "shx", "avif", "bmp", "cr2", "cr3", "dng", "gif", "heic", "heif", "ico", "jfif",
    "jp2", "jpeg", "jpg", "jxl", "nef", "orf", "png", "psd", "raw", "tif", "tiff", "webp", "xcf",
    "arrow", "avro", "fit", "fits", "hdf5", "mat", "npy", "npz", "parquet", "pcap", "pcapng",
    "avi", "flv", "m4v", "mkv", "mov", "mp4", "mpeg", "mpg", "ogv", "webm", "wmv",
];

/// binaryornot's `binary_formats.csv` magic numbers.
const SIGNATURES: &[&[u8]] = &[
    &[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    &[0xff, 0xd8, 0xff, 0xe0],
    &[0xff, 0xd8, 0xff, 0xe1],
    &[0x47, 0x49, 0x46, 0x38, 0x37, 0x61],
    &[0x47, 0x49, 0x46, 0x38, 0x39, 0x61],
    &[0x42, 0x4d],
    &[0x4d, 0x4d, 0x00, 0x2a],
    &[0x49, 0x49, 0x2a, 0x00],
    &[0x00, 0x00, 0x01, 0x00],
    &[0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e],
    &[
        0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74, 0x20, 0x33,
        0x00,
    ],
    &[0x50, 0x4b, 0x03, 0x04],
    &[0x1f, 0x8b, 0x08],
    &[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
    &[0x7f, 0x45, 0x4c, 0x46],
    &[0xfe, 0xed, 0xfa, 0xce],
    &[0xce, 0xfa, 0xed, 0xfe],
    &[0xfe, 0xed, 0xfa, 0xcf],
    &[0xcf, 0xfa, 0xed, 0xfe],
    &[0x4d, 0x5a],
    &[0xca, 0xfe, 0xba, 0xbe],
    &[0x52, 0x49, 0x46, 0x46],
    &[0x4f, 0x67, 0x67, 0x53],
    &[0x66, 0x4c, 0x61, 0x43],
    &[0x00, 0x61, 0x73, 0x6d],
    &[0x77, 0x4f, 0x46, 0x46],
    &[0x4f, 0x54, 0x54, 0x4f],
    &[0x00, 0x01, 0x00, 0x00, 0x00],
    &[0x00, 0x00, 0x00, 0x01, 0x42, 0x75, 0x64, 0x31],
    &[0x77, 0x4f, 0x46, 0x32],
    &[
        0x52, 0x49, 0x46, 0x46, 0x00, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50,
    ],
    &[0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70],
    &[0x49, 0x44, 0x33],
    &[0x42, 0x5a, 0x68],
    &[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
    &[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    &[0x28, 0xb5, 0x2f, 0xfd],
    &[0x52, 0x61, 0x72, 0x21, 0x1a, 0x07],
    &[0x1a, 0x45, 0xdf, 0xa3],
    &[0x4d, 0x54, 0x68, 0x64],
    &[0x38, 0x42, 0x50, 0x53],
    &[
        0x00, 0x00, 0x00, 0x1c, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63,
    ],
    &[0x50, 0x41, 0x52, 0x31],
    &[0x64, 0x65, 0x78, 0x0a],
    &[0x42, 0x43, 0xc0, 0xde],
    &[0x50, 0x41, 0x43, 0x4b],
    &[0x62, 0x70, 0x6c, 0x69, 0x73, 0x74],
    &[0x21, 0x3c, 0x61, 0x72, 0x63, 0x68, 0x3e, 0x0a],
    &[0x04, 0x22, 0x4d, 0x18],
    &[0x41, 0x52, 0x52, 0x4f, 0x57, 0x31],
    &[0x4f, 0x62, 0x6a, 0x01],
    &[0x5d, 0x00, 0x00],
    &[0xa1, 0xb2, 0xc3, 0xd4],
    &[0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59],
    &[0xfe, 0xed, 0xfe, 0xed],
    &[0x30, 0x37, 0x30, 0x37, 0x30, 0x31],
];

/// Whether cookiecutter copies the template file at `path` (template-relative, unrendered)
/// with `contents` as is, instead of rendering it.
pub(super) fn is_binary(path: &str, contents: &[u8]) -> bool {
    has_binary_extension(path) || is_binary_chunk(&contents[..contents.len().min(CHUNK_SIZE)])
}

/// Python's `Path(path).suffix.lower().lstrip(".")` in binaryornot's extension list.
fn has_binary_extension(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    // pathlib: no suffix for names that end with a dot or only start with one.
    let Some(dot) = name.rfind('.') else {
        return false;
    };
    if dot == 0 || dot + 1 == name.len() {
        return false;
    }
    let ext = name[dot + 1..].to_lowercase();
    BINARY_EXTENSIONS.contains(&ext.as_str())
}

fn has_signature(chunk: &[u8]) -> bool {
    SIGNATURES.iter().any(|sig| chunk.starts_with(sig))
}

fn is_binary_chunk(chunk: &[u8]) -> bool {
    if chunk.is_empty() {
        return false;
    }
    if has_signature(chunk) {
        return true;
    }
    decide(&features(chunk))
}

#[allow(clippy::cast_precision_loss)]
fn ratio(count: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

fn flag(yes: bool) -> f64 {
    if yes { 1.0 } else { 0.0 }
}

#[allow(clippy::cast_precision_loss)]
fn features(chunk: &[u8]) -> [f64; 24] {
    let n = chunk.len();
    let count = |pred: &dyn Fn(u8) -> bool| chunk.iter().filter(|&&b| pred(b)).count();
    let nulls = count(&|b| b == 0);
    let control = count(&|b| b < 32 && !matches!(b, 9 | 10 | 13));
    let printable = count(&|b| (0x20..=0x7e).contains(&b));
    let high = count(&|b| b >= 0x80);
    let even_nulls = chunk.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nulls = chunk.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let mut hist = [0usize; 256];
    for &b in chunk {
        hist[usize::from(b)] += 1;
    }
    let mut entropy = 0.0;
    for &c in &hist {
        if c > 0 {
            let p = c as f64 / n as f64;
            entropy -= p * p.log2();
        }
    }
    let (mut max_run, mut run) = (0usize, 0usize);
    for &b in chunk {
        if (0x20..=0x7e).contains(&b) || matches!(b, 9 | 10 | 13) {
            run += 1;
            max_run = max_run.max(run);
        } else {
            run = 0;
        }
    }
    let starts = |p: &[u8]| chunk.starts_with(p);
    let long = n >= 10;
    let longer = n >= 16;
    [
        ratio(nulls, n),
        ratio(control, n),
        ratio(printable, n),
        ratio(high, n),
        flag(std::str::from_utf8(chunk).is_ok()),
        ratio(even_nulls, n.div_ceil(2)),
        ratio(odd_nulls, n / 2),
        entropy,
        flag(starts(b"\xff\xfe\x00\x00")),
        flag(starts(b"\x00\x00\xfe\xff")),
        flag(starts(b"\xff\xfe") && !starts(b"\xff\xfe\x00\x00")),
        flag(starts(b"\xfe\xff")),
        flag(starts(b"\xef\xbb\xbf")),
        flag(long && utf16(chunk, false)),
        flag(long && utf16(chunk, true)),
        flag(longer && utf32(chunk, false)),
        flag(longer && utf32(chunk, true)),
        ratio(max_run, n),
        flag(long && double_byte(chunk, &[(0xa1, 0xf7)], &[(0xa1, 0xfe)], &[])),
        flag(long && double_byte(chunk, &[(0xa1, 0xf9)], &[(0x40, 0x7e), (0xa1, 0xfe)], &[])),
        flag(
            long && double_byte(
                chunk,
                &[(0x81, 0x9f), (0xe0, 0xea)],
                &[(0x40, 0x7e), (0x80, 0xfc)],
                &[(0xa1, 0xdf)],
            ),
        ),
        flag(long && double_byte(chunk, &[(0xa1, 0xfe), (0x8e, 0x8e)], &[(0xa1, 0xfe)], &[])),
        flag(long && double_byte(chunk, &[(0xa1, 0xfe)], &[(0xa1, 0xfe)], &[])),
        flag(has_signature(chunk)),
    ]
}

/// Python's strict UTF-16 decode: even length, surrogates paired.
fn utf16(chunk: &[u8], big_endian: bool) -> bool {
    if !chunk.len().is_multiple_of(2) {
        return false;
    }
    let units = chunk.chunks_exact(2).map(|p| {
        if big_endian {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    char::decode_utf16(units).all(|c| c.is_ok())
}

/// Python's strict UTF-32 decode: length a multiple of 4, every unit a scalar value.
fn utf32(chunk: &[u8], big_endian: bool) -> bool {
    if !chunk.len().is_multiple_of(4) {
        return false;
    }
    chunk.chunks_exact(4).all(|p| {
        let arr = [p[0], p[1], p[2], p[3]];
        let v = if big_endian {
            u32::from_be_bytes(arr)
        } else {
            u32::from_le_bytes(arr)
        };
        char::from_u32(v).is_some()
    })
}

/// A structural check of a double-byte CJK encoding: ASCII, `single` high bytes, or a lead byte
/// followed by a trail byte; anything else (including a cut-off lead byte) fails to decode.
fn double_byte(chunk: &[u8], lead: &[(u8, u8)], trail: &[(u8, u8)], single: &[(u8, u8)]) -> bool {
    let within = |b: u8, ranges: &[(u8, u8)]| ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&b));
    let mut i = 0;
    while i < chunk.len() {
        let b = chunk[i];
        if b < 0x80 || within(b, single) {
            i += 1;
        } else if within(b, lead) {
            match chunk.get(i + 1) {
                Some(&t) if within(t, trail) => i += 2,
                _ => return false,
            }
        } else {
            return false;
        }
    }
    true
}

/// binaryornot 0.6.0's trained decision tree (`binaryornot/tree.py`), thresholds as published.
#[allow(
    clippy::collapsible_else_if,
    clippy::if_same_then_else,
    clippy::needless_return,
    clippy::too_many_lines,
    clippy::excessive_precision,
    clippy::unreadable_literal,
    clippy::redundant_else,
    clippy::needless_bool
)]
fn decide(f: &[f64; 24]) -> bool {
    if f[1] <= 0.000977_f64 {
        if f[17] <= 0.000977_f64 {
            if f[4] <= 0.5_f64 {
                if f[22] <= 0.5_f64 {
                    if f[7] <= 1.953445_f64 {
                        return true;
                    } else {
                        if f[7] <= 2.74947_f64 {
                            return false;
                        } else {
                            if f[14] <= 0.5_f64 {
                                return true;
                            } else {
                                return true;
                            }
                        }
                    }
                } else {
                    return false;
                }
            } else {
                return false;
            }
        } else {
            if f[4] <= 0.5_f64 {
                if f[17] <= 0.063636_f64 {
                    if f[7] <= 2.021329_f64 {
                        return true;
                    } else {
                        if f[13] <= 0.5_f64 {
                            return false;
                        } else {
                            return false;
                        }
                    }
                } else {
                    if f[7] <= 3.047898_f64 {
                        return false;
                    } else {
                        if f[2] <= 0.758706_f64 {
                            if f[17] <= 0.134848_f64 {
                                if f[3] <= 0.633612_f64 {
                                    if f[7] <= 3.851786_f64 {
                                        return false;
                                    } else {
                                        if f[3] <= 0.483333_f64 {
                                            return false;
                                        } else {
                                            if f[17] <= 0.129167_f64 {
                                                return true;
                                            } else {
                                                return false;
                                            }
                                        }
                                    }
                                } else {
                                    if f[2] <= 0.145455_f64 {
                                        return false;
                                    } else {
                                        return true;
                                    }
                                }
                            } else {
                                if f[19] <= 0.5_f64 {
                                    if f[7] <= 3.572021_f64 {
                                        if f[3] <= 0.49_f64 {
                                            if f[2] <= 0.651515_f64 {
                                                return false;
                                            } else {
                                                return true;
                                            }
                                        } else {
                                            if f[7] <= 3.370112_f64 {
                                                return true;
                                            } else {
                                                if f[3] <= 0.651515_f64 {
                                                    if f[17] <= 0.318182_f64 {
                                                        return true;
                                                    } else {
                                                        return true;
                                                    }
                                                } else {
                                                    return true;
                                                }
                                            }
                                        }
                                    } else {
                                        if f[2] <= 0.615079_f64 {
                                            if f[20] <= 0.5_f64 {
                                                if f[13] <= 0.5_f64 {
                                                    return true;
                                                } else {
                                                    return true;
                                                }
                                            } else {
                                                if f[17] <= 0.176923_f64 {
                                                    return false;
                                                } else {
                                                    return true;
                                                }
                                            }
                                        } else {
                                            if f[17] <= 0.252381_f64 {
                                                return false;
                                            } else {
                                                return true;
                                            }
                                        }
                                    }
                                } else {
                                    if f[7] <= 3.889752_f64 {
                                        return true;
                                    } else {
                                        return false;
                                    }
                                }
                            }
                        } else {
                            return false;
                        }
                    }
                }
            } else {
                return false;
            }
        }
    } else {
        if f[0] <= 0.163978_f64 {
            if f[4] <= 0.5_f64 {
                if f[7] <= 3.264621_f64 {
                    if f[17] <= 0.022678_f64 {
                        if f[2] <= 0.000977_f64 {
                            if f[5] <= 0.001953_f64 {
                                return false;
                            } else {
                                return true;
                            }
                        } else {
                            return true;
                        }
                    } else {
                        if f[1] <= 0.095455_f64 {
                            if f[17] <= 0.306818_f64 {
                                if f[1] <= 0.055728_f64 {
                                    return false;
                                } else {
                                    return false;
                                }
                            } else {
                                return true;
                            }
                        } else {
                            return false;
                        }
                    }
                } else {
                    if f[10] <= 0.5_f64 {
                        if f[2] <= 0.455534_f64 {
                            if f[3] <= 0.79057_f64 {
                                if f[1] <= 0.485714_f64 {
                                    if f[7] <= 3.540884_f64 {
                                        if f[7] <= 3.528408_f64 {
                                            if f[2] <= 0.316667_f64 {
                                                if f[2] <= 0.286364_f64 {
                                                    if f[17] <= 0.095455_f64 {
                                                        return true;
                                                    } else {
                                                        return true;
                                                    }
                                                } else {
                                                    if f[13] <= 0.5_f64 {
                                                        return false;
                                                    } else {
                                                        return true;
                                                    }
                                                }
                                            } else {
                                                return true;
                                            }
                                        } else {
                                            return false;
                                        }
                                    } else {
                                        if f[2] <= 0.446657_f64 {
                                            return true;
                                        } else {
                                            if f[17] <= 0.066638_f64 {
                                                if f[2] <= 0.450099_f64 {
                                                    return false;
                                                } else {
                                                    return true;
                                                }
                                            } else {
                                                return true;
                                            }
                                        }
                                    }
                                } else {
                                    return false;
                                }
                            } else {
                                return false;
                            }
                        } else {
                            if f[3] <= 0.425959_f64 {
                                if f[3] <= 0.394552_f64 {
                                    if f[7] <= 4.209417_f64 {
                                        if f[7] <= 4.175213_f64 {
                                            if f[3] <= 0.100962_f64 {
                                                return false;
                                            } else {
                                                if f[3] <= 0.248047_f64 {
                                                    return true;
                                                } else {
                                                    if f[17] <= 0.106443_f64 {
                                                        return false;
                                                    } else {
                                                        return true;
                                                    }
                                                }
                                            }
                                        } else {
                                            return false;
                                        }
                                    } else {
                                        if f[23] <= 0.5_f64 {
                                            return true;
                                        } else {
                                            return true;
                                        }
                                    }
                                } else {
                                    if f[17] <= 0.082906_f64 {
                                        return false;
                                    } else {
                                        if f[1] <= 0.025_f64 {
                                            return false;
                                        } else {
                                            if f[7] <= 3.520764_f64 {
                                                return false;
                                            } else {
                                                if f[1] <= 0.1225_f64 {
                                                    return true;
                                                } else {
                                                    if f[0] <= 0.033333_f64 {
                                                        return false;
                                                    } else {
                                                        return true;
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            } else {
                                if f[17] <= 0.098599_f64 {
                                    if f[1] <= 0.012902_f64 {
                                        return true;
                                    } else {
                                        if f[23] <= 0.5_f64 {
                                            return false;
                                        } else {
                                            if f[3] <= 0.458087_f64 {
                                                return true;
                                            } else {
                                                return true;
                                            }
                                        }
                                    }
                                } else {
                                    if f[7] <= 4.453697_f64 {
                                        if f[3] <= 0.472136_f64 {
                                            if f[17] <= 0.121324_f64 {
                                                return false;
                                            } else {
                                                if f[17] <= 0.302885_f64 {
                                                    if f[7] <= 3.539612_f64 {
                                                        return false;
                                                    } else {
                                                        return true;
                                                    }
                                                } else {
                                                    return false;
                                                }
                                            }
                                        } else {
                                            return true;
                                        }
                                    } else {
                                        return true;
                                    }
                                }
                            }
                        }
                    } else {
                        if f[14] <= 0.5_f64 {
                            return false;
                        } else {
                            return false;
                        }
                    }
                }
            } else {
                if f[1] <= 0.45_f64 {
                    if f[1] <= 0.006212_f64 {
                        return true;
                    } else {
                        return false;
                    }
                } else {
                    return true;
                }
            }
        } else {
            if f[23] <= 0.5_f64 {
                if f[3] <= 0.082843_f64 {
                    if f[6] <= 0.282534_f64 {
                        return false;
                    } else {
                        if f[7] <= 3.088801_f64 {
                            if f[0] <= 0.822852_f64 {
                                if f[2] <= 0.291667_f64 {
                                    return false;
                                } else {
                                    if f[1] <= 0.521739_f64 {
                                        return false;
                                    } else {
                                        return true;
                                    }
                                }
                            } else {
                                if f[16] <= 0.5_f64 {
                                    return true;
                                } else {
                                    return true;
                                }
                            }
                        } else {
                            if f[5] <= 0.140625_f64 {
                                return false;
                            } else {
                                return true;
                            }
                        }
                    }
                } else {
                    if f[17] <= 0.291667_f64 {
                        if f[7] <= 0.698576_f64 {
                            return true;
                        } else {
                            if f[7] <= 5.613847_f64 {
                                if f[2] <= 0.361264_f64 {
                                    if f[20] <= 0.5_f64 {
                                        return false;
                                    } else {
                                        if f[14] <= 0.5_f64 {
                                            if f[0] <= 0.379808_f64 {
                                                return false;
                                            } else {
                                                return true;
                                            }
                                        } else {
                                            return false;
                                        }
                                    }
                                } else {
                                    if f[2] <= 0.408333_f64 {
                                        if f[1] <= 0.26_f64 {
                                            return false;
                                        } else {
                                            return true;
                                        }
                                    } else {
                                        return false;
                                    }
                                }
                            } else {
                                if f[17] <= 0.012485_f64 {
                                    return false;
                                } else {
                                    return true;
                                }
                            }
                        }
                    } else {
                        return true;
                    }
                }
            } else {
                if f[20] <= 0.5_f64 {
                    return true;
                } else {
                    return true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_binary() {
        assert!(!is_binary("a.txt", b""));
        assert!(!is_binary("a.txt", b"hello world\nthis is text\n"));
        assert!(!is_binary(
            "a.md",
            "caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e\n".as_bytes()
        ));
        assert!(is_binary("logo.png", b"not really a png"));
        assert!(is_binary("LOGO.PNG", b"x"));
        assert!(is_binary("x.dat", b"\x89PNG\r\n\x1a\n\x00\x00"));
        // Verified with binaryornot 0.6.0's is_binary_string.
        assert!(!is_binary(
            "x.dat",
            &[0u8, 1, 2, 3, 4, 5, 0, 0, 255, 254, 7, 8, 0, 0, 0, 3]
        ));
        let control: Vec<u8> = (0u8..32).chain(0u8..32).collect();
        assert!(is_binary("x.dat", &control));
        let random = [
            68u8, 32, 130, 60, 253, 230, 241, 194, 107, 48, 249, 14, 199, 221, 1, 228, 136, 117,
            52, 162, 15, 11, 13, 4, 195, 110, 216, 14, 113, 224, 253, 119, 176, 118, 112, 235, 148,
            11, 213, 51, 95, 151, 61, 170, 216, 97, 155, 145, 255, 201, 17, 245, 124, 206, 212, 88,
            187, 191, 44, 224, 55, 83, 201, 189,
        ];
        assert!(is_binary("x.dat", &random));
        assert!(!is_binary(".png", b"text"));
    }
}
