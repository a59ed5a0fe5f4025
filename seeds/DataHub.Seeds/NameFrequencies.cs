namespace DataHub.Seeds;

/// <summary>
/// Names as they occur in an English county's partner extracts: common British names far more often than rare ones, with
/// Irish, Scottish and Welsh names (O', Mc, Mac, ap), hyphenated and accented names, and the names of settled communities.
/// Weights are rough counts per 100,000 people, in the spirit of published surname and first-name frequencies.
/// </summary>
internal static class NameFrequencies
{
    public static readonly WeightedNames Surnames = WeightedNames.Parse("""
        Smith 1300 Jones 1000 Williams 700 Taylor 600 Brown 580 Davies 560 Evans 440 Wilson 420 Thomas 410 Johnson 400
        Roberts 390 Robinson 330 Thompson 330 Wright 320 Walker 320 White 310 Edwards 300 Hughes 300 Green 290 Hall 290
        Lewis 280 Harris 280 Clarke 280 Patel 270 Jackson 270 Wood 260 Turner 240 Martin 240 Cooper 240 Hill 230 Ward 230
        Morris 230 Moore 230 Clark 220 Lee 220 King 220 Baker 220 Harrison 210 Morgan 210 Allen 200 James 200 Scott 200
        Phillips 200 Watson 190 Davis 190 Parker 190 Price 190 Bennett 180 Young 180 Griffiths 180 Mitchell 180 Kelly 180
        Cook 180 Carter 170 Richardson 170 Bailey 170 Collins 170 Bell 170 Shaw 170 Murphy 160 Miller 160 Cox 160
        Richards 160 Khan 160 Marshall 150 Anderson 150 Simpson 150 Ellis 150 Adams 150 Singh 150 Begum 140 Wilkinson 140
        Foster 140 Chapman 140 Powell 140 Webb 140 Rogers 140 Gray 140 Mason 130 Ali 130 Hunt 130 Hussain 130 Campbell 130
        Matthews 130 Owen 130 Palmer 120 Holmes 120 Mills 120 Barnes 120 Knight 120 Lloyd 120 Butler 120 Russell 120
        Barker 120 Fisher 120 Stevens 120 Jenkins 110 Murray 110 Dixon 110 Harvey 110 Graham 100 Pearson 100 Ahmed 100
        Fletcher 100 Walsh 100 Kaur 100 Gibson 100 Howard 100 Andrews 100 Stewart 100 Elliott 100 Reynolds 90 Saunders 90
        Payne 90 Fox 90 Ford 90 Pearce 90 Day 90 Brooks 90 West 90 Lawrence 90 Cole 90 Atkinson 90 Bradley 90 Spencer 90
        Gill 80 Dawson 80 Ball 80 Burton 80 O'Brien 80 Watts 80 Rose 80 Booth 80 Perry 80 Ryan 80 Grant 80 Wells 80
        McDonald 100 McCarthy 70 O'Neill 70 O'Connor 70 MacDonald 60 O'Sullivan 50 McLaughlin 40 MacKenzie 40 McKenzie 40
        O'Reilly 40 O'Donnell 30 McGregor 30 MacLeod 30 McAllister 25 O'Hara 25 McGuinness 15 Ó'Súilleabháin 2 D'Souza 20
        D'Arcy 10 Pritchard 60 Llewellyn 40 Pryce 30 Vaughan 40 Rees 90 Powys 5 ap Rhys 2 ap Gwilym 1 Smith-Jones 5
        Lloyd-Davies 5 Jones-Parry 4 Hughes-Williams 3 Fox-Pitt 2 Bowes-Lyon 1 Ashton-Clarke 2 Chaudhry 30 Malik 40
        Iqbal 40 Rahman 40 Miah 40 Uddin 30 Mahmood 40 Akhtar 30 Sharma 30 Kumar 30 Chen 15 Wang 10 Nguyen 10 Okafor 10
        Mensah 10 Adeyemi 8 Osei 8 Kowalski 10 Nowak 12 Wiśniewski 5 Wójcik 5 Kamiński 4 Popescu 8 Ionescu 4 Dvořák 2
        Müller 5 Gonçalves 8 Sánchez 8 Núñez 5 Bélanger 2 Öztürk 5 Yılmaz 6 Silva 15 Santos 12 Ferreira 8 Da Costa 6
        Van der Berg 3 De la Cruz 3 Le Roux 2
        """ + RareSurnames());

    public static readonly WeightedNames Female = WeightedNames.Parse("""
        Sarah 900 Emma 800 Laura 750 Rebecca 600 Gemma 550 Charlotte 550 Hannah 500 Amy 500 Jessica 480 Lauren 470
        Sophie 450 Emily 450 Claire 420 Nicola 400 Lisa 400 Michelle 380 Kelly 360 Samantha 360 Rachel 350 Stacey 300
        Danielle 300 Jade 300 Chloe 280 Chloé 20 Zoe 250 Zoë 30 Natalie 260 Katie 260 Amber 200 Leanne 220 Kirsty 200
        Victoria 220 Louise 220 Joanne 220 Donna 180 Karen 200 Julie 180 Tracey 160 Susan 160 Amanda 160 Helen 180
        Jennifer 160 Siân 60 Sian 40 Aoife 40 Niamh 50 Róisín 20 Roisin 10 Saoirse 20 Caoimhe 8 Mary-Jane 20
        Anne-Marie 30 Lily-Mae 20 Lacey-Mae 10 Renée 8 Aisha 60 Fatima 60 Maryam 50 Ayesha 40 Zainab 30 Agnieszka 20
        Małgorzata 10 Ioana 10 Precious 10 Chantelle 60 Shannon 100 Paige 100 Courtney 90 Megan 200 Holly 150 Ellie 150
        Olivia 200 Amelia 120 Isla 80 Ava 80 Mia 90 Poppy 70 Grace 150 Lucy 200 Abigail 90 Bethan 40 Ffion 20 Cerys 30
        Eleri 8 Nia 20 Mairéad 5 Ciara 40 Gráinne 8 Aimée 10 Hélène 4 Beyoncé 2 Lily 150 Ruby 100 Freya 80 Evie 70
        Jasmine 90 Alicia 60 Georgia 120 Kayleigh 90 Sadie 30 Tia 40 Demi 50 Kerry 100 Marie 100 Dawn 80 Mandy 60
        """);

    public static readonly WeightedNames Male = WeightedNames.Parse("""
        David 900 James 850 Michael 800 John 700 Daniel 650 Paul 600 Christopher 600 Mark 550 Andrew 550 Matthew 500
        Richard 450 Robert 450 Thomas 420 Lee 400 Craig 350 Steven 350 Darren 300 Jamie 320 Ryan 350 Adam 320 Liam 300
        Ben 260 Luke 260 Jack 280 Dean 220 Wayne 200 Gareth 160 Rhys 120 Dafydd 20 Owain 20 Seán 40 Sean 200 Eoin 20
        Ciarán 15 Ciaran 20 Dáire 5 Mohammed 200 Muhammad 150 Mohammad 60 Ali 60 Ahmed 60 Imran 50 Jean-Luc 5 Jean-Paul 5
        Piotr 30 Łukasz 15 Lukasz 15 Tomasz 20 Andrei 15 José 10 Chinedu 5 Kwame 5 Kieran 120 Connor 150 Callum 150
        Jordan 150 Kyle 140 Tyler 100 Reece 100 Bradley 100 Lewis 120 Joshua 200 Nathan 160 Jake 120 Aaron 120 Carl 150
        Shaun 120 Gary 200 Stuart 140 Scott 150 Neil 120 Ian 160 Kevin 160 Anthony 200 Stephen 250 Peter 200 Simon 160
        Jason 200 Martin 160 Alan 100 Keith 60 Barry 50 Harry 120 George 120 Oliver 120 Charlie 100 Alfie 60 Archie 50
        Freddie 50 Oscar 50 Noah 50 Leo 50 Mason 60 Riley 50 Ethan 90 Owen 80 Dylan 70 Evan 40 Iwan 10 Gruffydd 5
        Declan 50 Padraig 10 Pádraig 8 Brendan 30 Conor 50 Niall 30 Fionn 8 Hamish 10 Angus 10 Ross 60 Euan 20 Ewan 20
        """);

    /// <summary>The long tail: most people's surnames are rare, so the listed ones cover about a third of people (Smith about 1.6%).</summary>
    private static string RareSurnames()
    {
        string[] starts = ["Ash", "Black", "Brad", "Brook", "Cal", "Craw", "Dun", "Fair", "Green", "Hart", "Hay", "Holl", "Lang", "Mar", "Mel",
            "Mor", "New", "North", "Pem", "Red", "Roth", "Shel", "South", "Stan", "Thorn", "War", "Wes", "Whit", "Wood", "Ather"];
        string[] ends = ["worth", "burn", "ford", "ley", "ton", "well", "field", "by", "ham", "wood", "cliffe", "more", "stone", "wick", "shaw",
            "den", "ridge", "hurst", "combe", "bury"];
        return " " + string.Join(' ', starts.SelectMany(s => ends.Select(e => s + e + " 87")));
    }
}

/// <summary>Names with weights, drawn in proportion to them.</summary>
internal sealed class WeightedNames
{
    private readonly string[] _names;
    private readonly int[] _cumulative;

    private WeightedNames(string[] names, int[] cumulative)
    {
        _names = names;
        _cumulative = cumulative;
    }

    /// <summary>Every name, in the order listed.</summary>
    public IReadOnlyList<string> All => _names;

    /// <summary>Reads "Name weight" pairs separated by white space; a name may hold spaces when its weight follows it.</summary>
    public static WeightedNames Parse(string text)
    {
        var names = new List<string>();
        var cumulative = new List<int>();
        var pending = new List<string>();
        var total = 0;
        foreach (var word in text.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(word, System.Globalization.CultureInfo.InvariantCulture, out var weight))
            {
                names.Add(string.Join(' ', pending));
                pending.Clear();
                total += weight;
                cumulative.Add(total);
            }
            else
            {
                pending.Add(word);
            }
        }

        return new WeightedNames([.. names], [.. cumulative]);
    }

    /// <summary>The index of a name drawn in proportion to its weight.</summary>
    public int Draw(Random random)
    {
        var at = Array.BinarySearch(_cumulative, random.Next(_cumulative[^1]) + 1);
        return at >= 0 ? at : ~at;
    }

    /// <summary>The name at <paramref name="index"/>.</summary>
    public string this[int index] => _names[index];
}
