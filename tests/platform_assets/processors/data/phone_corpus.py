"""A phone-number corpus written from public numbering plans and their usual written forms.

Positives: each entry is (country, number as written). The numbers follow each plan's structure (NANP
NPA-NXX-XXXX; ITU E.164 `+CC` with the national significant number; the national form with its trunk
prefix) in the groupings the national regulators and style guides use; many sit in ranges reserved for
fiction or documentation (NANP 555-01XX, Ofcom's drama ranges). Each is placed in the kinds of sentences
e-mail signatures, headers and letters carry. Look-alikes: numbers that must stay as written.
"""

from __future__ import annotations

NUMBERS: list[tuple[str, str]] = [
    # NANP (US, Canada): parentheses, dots, dashes, spaces, slash, a leading 1 or +1, extensions.
    ("NANP", "(650) 555-0123"),
    ("NANP", "(650)555-0123"),
    ("NANP", "(650)-555-0123"),
    ("NANP", "650-555-0123"),
    ("NANP", "650.555.0123"),
    ("NANP", "650 555 0123"),
    ("NANP", "650/555-0123"),
    ("NANP", "1-800-555-0123"),
    ("NANP", "1 (800) 555-0123"),
    ("NANP", "1.800.555.0123"),
    ("NANP", "1 800 555 0123"),
    ("NANP", "+1 650 555 0123"),
    ("NANP", "+1-650-555-0123"),
    ("NANP", "+1 (650) 555-0123"),
    ("NANP", "+1.650.555.0123"),
    ("NANP", "+16505550123"),
    ("NANP", "6505550123"),
    ("NANP", "(713) 853-6197 x123"),
    ("NANP", "713-853-6197 ext. 12"),
    ("NANP", "713.853.6197 ext 4567"),
    ("NANP", "(416) 555-0199 Ext. 204"),
    ("NANP", "+1 416 555 0199 x2"),
    ("NANP", "1-888-555-0142, ext. 3"),
    # United Kingdom +44: London 20 xxxx xxxx, mobile 7xxx, Manchester 161.
    ("GB", "+44 20 7946 0958"),
    ("GB", "+44 (0)20 7946 0958"),
    ("GB", "020 7946 0958"),
    ("GB", "07700 900123"),
    ("GB", "+44 7700 900123"),
    ("GB", "0161 496 0000"),
    # Germany +49: area codes with trunk 0, the DIN 5008 forms and the older slash form.
    ("DE", "+49 30 12345678"),
    ("DE", "+49 (0)30 1234 5678"),
    ("DE", "030 12345678"),
    ("DE", "030/1234567"),
    ("DE", "0171 1234567"),
    ("DE", "+49 171 1234567"),
    # France +33: pairs of digits.
    ("FR", "+33 1 42 68 53 00"),
    ("FR", "01 42 68 53 00"),
    ("FR", "01.42.68.53.00"),
    ("FR", "06 12 34 56 78"),
    # Italy +39: the leading 0 belongs to landline numbers, mobiles start with 3.
    ("IT", "+39 06 1234 5678"),
    ("IT", "06 1234 5678"),
    ("IT", "+39 347 123 4567"),
    # Spain +34: nine digits, no trunk prefix.
    ("ES", "+34 912 345 678"),
    ("ES", "+34 612 34 56 78"),
    # Netherlands +31.
    ("NL", "+31 20 123 4567"),
    ("NL", "020 123 4567"),
    ("NL", "06-12345678"),
    # Australia +61.
    ("AU", "+61 2 9876 5432"),
    ("AU", "(02) 9876 5432"),
    ("AU", "0412 345 678"),
    ("AU", "+61 412 345 678"),
    # Japan +81.
    ("JP", "+81 3-1234-5678"),
    ("JP", "03-1234-5678"),
    ("JP", "090-1234-5678"),
    # India +91.
    ("IN", "+91 98765 43210"),
    ("IN", "+91-22-2345-6789"),
    ("IN", "022 2345 6789"),
    # China +86.
    ("CN", "+86 10 1234 5678"),
    ("CN", "010 1234 5678"),
    ("CN", "+86 138 0013 8000"),
    # Brazil +55: area code in parentheses.
    ("BR", "+55 11 91234-5678"),
    ("BR", "(11) 91234-5678"),
    ("BR", "+55 (21) 2345-6789"),
    # Mexico +52.
    ("MX", "+52 55 1234 5678"),
    ("MX", "+52 1 55 1234 5678"),
    # Russia +7: trunk 8 with the area code in parentheses.
    ("RU", "+7 495 123-45-67"),
    ("RU", "8 (495) 123-45-67"),
    ("RU", "+7 (495) 123-45-67"),
    # Switzerland +41.
    ("CH", "+41 44 668 18 00"),
    ("CH", "044 668 18 00"),
    # Dialled from abroad with 00 / 011.
    ("INTL", "0044 20 7946 0958"),
    ("INTL", "00 49 30 12345678"),
    ("INTL", "011 44 20 7946 0958"),
]

# Sentences a number is found in; {} is the number. Each number goes through every template.
TEMPLATES: list[str] = [
    "Phone: {}",
    "Tel. {}",
    "call me at {} tomorrow.",
    "John Smith\nDirector of Sales\n{} (office)\njohn.smith",
    "Office: {} | Fax: none",
    "Reach us on {}, or write.",
    "mobile ({})",
    "> Ph: {}\n> Thanks",
]

# Text that must come out unchanged: dates, times, prices, identifiers, versions, code, header fields.
LOOKALIKES: list[str] = [
    "Date: Mon, 14 May 2001 16:39:00 -0700 (PDT)",
    "Message-ID: <18782981.1075855378110.JavaMail.evans@thyme>",
    "released 2024-01-15 at 10:30:45; the meeting is 01/15/2024 from 10:30-11:45",
    "dates 15.01.2024, 15/01/2024 12:30, 2024/01/15, 20240115, and 1999-2000-2001",
    "timestamp 1700000000 and 1700000000123 ms, 2024-01-15T10:30:45.123+01:00",
    "it costs $1,234.56 or 1.234.567,00 € or USD 4,155,552,671",
    "revenue of $650 555 012 in 2001 and 1 234 567 890 people",
    "Order #4155552671, invoice no. 0142685300, account 447700900123, ID: 14155552671",
    "ISBN 978-3-16-148410-0 and ISBN 9780306406157; ISSN 0317-8471",
    "ORCID 0000-0002-1825-0097, DOI 10.1000/182, arXiv:2401.12345",
    "CVE-2024-12345 and RFC 2616 section 14.9",
    "version 3.12.1, build 10.0.19041.1234, v1.23.4567 and 2024.01.15",
    "x = 2147483647; mask = 4294967295; y = 0x7fffffff; z = 1e10",
    "for i in range(1000, 2000): total += i * 650 - 555",
    "a[0:650] = b[555:123]; c = (650) * 555 - 123",
    "the zip code 94043-1351, page 1234-1245, lines 12-34",
    "coordinates 37.4220, -122.0841 and 48.8584, 2.2945",
    "uuid 123e4567-e89b-12d3-a456-426614174000 and sha 9f86d081884c7d65",
    "screen 1920x1080, port 8080, PID 12345, seed 42",
    "score 6-5-0 after 3 rounds; the 1-2-3 rule; 10 20 30 40",
    "durations 00:01:23.456 and 12:34:56",
    "private 192.168.1.20 and loopback 127.0.0.1",
    "Call 911 or 112 in an emergency; dial 411.",
    "the years 1990 2000 2010 2020 and 1990-2000-2010",
    "model GTX-1080-Ti, part no. 650-5550-123, SKU 12345678",
    "see pp. 1-800 of vol. 555 (2001)",
    "1.2.3.4.5.6.7.8.9.10",
    "table: 650 555 0 1 2 3",
]
